//! A QR code encoder for the checkout code: alphanumeric mode, error correction level M, versions
//! 1 to 3 (up to 61 characters; a `TSR1` code is 41).
//!
//! Why not the `qrcode` crate: it covers every version, mode and level, and with it the wallet's
//! first load would pass its 200,000-byte budget; this is the part the checkout code needs, a few
//! hundred bytes of wasm. Level M restores up to 15% of damaged modules, enough for a cracked or
//! glaring phone screen while keeping modules large. The algorithm follows ISO/IEC 18004 (and
//! Nayuki's reference implementation); tests decode the result with the independent `rqrr` decoder
//! for every mask, and the end-to-end test decodes a screenshot with `zbarimg`.

/// The characters QR alphanumeric mode can carry, in code order.
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Per version 1..=3 at level M: (data codewords, error correction codewords), one block each.
const CODEWORDS: [(usize, usize); 3] = [(16, 10), (28, 16), (44, 26)];

/// A QR code: `size` x `size` modules, dark or light, without the quiet zone (draw 4 light
/// modules around it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QrCode {
    size: usize,
    modules: Vec<bool>,
    function: Vec<bool>,
}

impl QrCode {
    /// The smallest code for `text`, or `None` when `text` has a character outside the
    /// alphanumeric set (`0-9 A-Z space $ % * + - . / :`) or is longer than 61 characters.
    pub fn alphanumeric(text: &str) -> Option<Self> {
        Self::encode(text, None)
    }

    /// [`QrCode::alphanumeric`] with `mask`, or the mask of the lowest penalty.
    fn encode(text: &str, mask: Option<u32>) -> Option<Self> {
        let values: Vec<u16> = text
            .bytes()
            .map(|b| ALPHANUMERIC.iter().position(|&c| c == b).map(|v| v as u16))
            .collect::<Option<_>>()?;
        let data_bits = 4 + 9 + 11 * (values.len() / 2) + 6 * (values.len() % 2);
        let version = (1..=3).find(|v| CODEWORDS[v - 1].0 * 8 >= data_bits)?;
        let (data_len, ec_len) = CODEWORDS[version - 1];

        let mut bits = Bits::default();
        bits.push(0b0010, 4);
        bits.push(values.len() as u32, 9);
        for pair in values.chunks(2) {
            match pair {
                [a, b] => bits.push(u32::from(a * 45 + b), 11),
                [a] => bits.push(u32::from(*a), 6),
                _ => unreachable!(),
            }
        }
        let capacity = data_len * 8;
        bits.push(0, (capacity - bits.len).min(4));
        bits.push(0, (8 - bits.len % 8) % 8);
        let mut codewords = bits.bytes;
        for pad in [0xEC, 0x11].into_iter().cycle() {
            if codewords.len() == data_len {
                break;
            }
            codewords.push(pad);
        }
        let ec = reed_solomon(&codewords, ec_len);
        codewords.extend(ec);

        let mut code = Self::blank(version);
        code.place(&codewords);
        let mask = mask.or_else(|| {
            (0..8).min_by_key(|&mask| {
                code.apply_mask(mask);
                code.draw_format(mask);
                let penalty = code.penalty();
                code.apply_mask(mask);
                penalty
            })
        })?;
        code.apply_mask(mask);
        code.draw_format(mask);
        Some(code)
    }

    /// Modules per side (21, 25 or 29).
    pub fn size(&self) -> usize {
        self.size
    }

    /// Whether the module at column `x`, row `y` is dark (outside the code: light).
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        x < self.size && y < self.size && self.modules[y * self.size + x]
    }

    /// The function patterns of `version`, with room kept for the format bits.
    fn blank(version: usize) -> Self {
        let size = 17 + 4 * version;
        let mut code = Self {
            size,
            modules: vec![false; size * size],
            function: vec![false; size * size],
        };
        for i in 0..size {
            code.set_function(6, i, i % 2 == 0);
            code.set_function(i, 6, i % 2 == 0);
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            code.draw_square(cx, cy, 4, |d| d != 2 && d != 4);
        }
        if version > 1 {
            let at = size - 7;
            code.draw_square(at, at, 2, |d| d != 1);
        }
        code.draw_format(0);
        code
    }

    /// A square of radius `radius` around (`cx`, `cy`); `dark` tells by Chebyshev distance.
    fn draw_square(&mut self, cx: usize, cy: usize, radius: isize, dark: impl Fn(isize) -> bool) {
        for dy in -radius..=radius {
            for dx in -radius..=radius {
                let (x, y) = (cx as isize + dx, cy as isize + dy);
                if (0..self.size as isize).contains(&x) && (0..self.size as isize).contains(&y) {
                    self.set_function(x as usize, y as usize, dark(dx.abs().max(dy.abs())));
                }
            }
        }
    }

    fn set_function(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.size + x;
        self.modules[i] = dark;
        self.function[i] = true;
    }

    /// The 15 format bits (level M, `mask`) in both of their places, and the dark module.
    fn draw_format(&mut self, mask: u32) {
        // Level M is 0b00, so the 5 data bits are the mask.
        let data = mask;
        let mut rem = data;
        for _ in 0..10 {
            rem = (rem << 1) ^ ((rem >> 9) * 0x537);
        }
        let bits = ((data << 10) | rem) ^ 0x5412;
        let bit = |i: usize| (bits >> i) & 1 == 1;
        let size = self.size;
        for i in 0..=5 {
            self.set_function(8, i, bit(i));
        }
        self.set_function(8, 7, bit(6));
        self.set_function(8, 8, bit(7));
        self.set_function(7, 8, bit(8));
        for i in 9..15 {
            self.set_function(14 - i, 8, bit(i));
        }
        for i in 0..8 {
            self.set_function(size - 1 - i, 8, bit(i));
        }
        for i in 8..15 {
            self.set_function(8, size - 15 + i, bit(i));
        }
        self.set_function(8, size - 8, true);
    }

    /// Lays the codewords out in the zigzag of two-module columns, skipping function modules.
    fn place(&mut self, codewords: &[u8]) {
        let size = self.size;
        let total = codewords.len() * 8;
        let mut i = 0;
        let mut right = size - 1;
        loop {
            if right == 6 {
                right = 5;
            }
            let upward = (right + 1) & 2 == 0;
            for vert in 0..size {
                let y = if upward { size - 1 - vert } else { vert };
                for x in [right, right - 1] {
                    let at = y * size + x;
                    if !self.function[at] && i < total {
                        self.modules[at] = (codewords[i / 8] >> (7 - i % 8)) & 1 == 1;
                        i += 1;
                    }
                }
            }
            if right < 3 {
                break;
            }
            right -= 2;
        }
    }

    /// Flips the data modules where `mask` says so (applying it twice undoes it).
    fn apply_mask(&mut self, mask: u32) {
        for y in 0..self.size {
            for x in 0..self.size {
                let flip = match mask {
                    0 => (x + y) % 2 == 0,
                    1 => y % 2 == 0,
                    2 => x % 3 == 0,
                    3 => (x + y) % 3 == 0,
                    4 => (x / 3 + y / 2) % 2 == 0,
                    5 => x * y % 2 + x * y % 3 == 0,
                    6 => (x * y % 2 + x * y % 3) % 2 == 0,
                    _ => ((x + y) % 2 + x * y % 3) % 2 == 0,
                };
                let at = y * self.size + x;
                if flip && !self.function[at] {
                    self.modules[at] = !self.modules[at];
                }
            }
        }
    }

    /// The standard's penalty score: long runs, 2x2 blocks, finder-like patterns, dark balance.
    fn penalty(&self) -> u32 {
        let n = self.size;
        let mut score = 0;
        for transpose in [false, true] {
            for a in 0..n {
                let line: Vec<bool> = (0..n)
                    .map(|b| {
                        if transpose {
                            self.is_dark(a, b)
                        } else {
                            self.is_dark(b, a)
                        }
                    })
                    .collect();
                let mut run = 1;
                for b in 1..=n {
                    if b < n && line[b] == line[b - 1] {
                        run += 1;
                    } else {
                        if run >= 5 {
                            score += run - 2;
                        }
                        run = 1;
                    }
                }
                const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
                for start in 0..n.saturating_sub(6) {
                    if line[start..start + 7] == FINDER {
                        let light = |from: isize| {
                            (from..from + 4).all(|i| i < 0 || i >= n as isize || !line[i as usize])
                        };
                        if light(start as isize - 4) || light(start as isize + 7) {
                            score += 40;
                        }
                    }
                }
            }
        }
        for y in 0..n - 1 {
            for x in 0..n - 1 {
                let c = self.is_dark(x, y);
                if c == self.is_dark(x + 1, y)
                    && c == self.is_dark(x, y + 1)
                    && c == self.is_dark(x + 1, y + 1)
                {
                    score += 3;
                }
            }
        }
        let dark = self.modules.iter().filter(|&&d| d).count();
        let percent = dark * 100 / (n * n);
        score + (percent.abs_diff(50) / 5) as u32 * 10
    }
}

/// A big-endian bit buffer.
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    len: usize,
}

impl Bits {
    fn push(&mut self, value: u32, count: usize) {
        for i in (0..count).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (value >> i) & 1 == 1 {
                *self.bytes.last_mut().expect("pushed above") |= 1 << (7 - self.len % 8);
            }
            self.len += 1;
        }
    }
}

/// Product in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1.
fn gf_mul(x: u8, y: u8) -> u8 {
    let mut z: u16 = 0;
    for i in (0..8).rev() {
        z = (z << 1) ^ ((z >> 7) * 0x11D);
        z ^= u16::from((y >> i) & 1) * u16::from(x);
    }
    z as u8
}

/// The `len` Reed-Solomon error correction codewords of `data`.
fn reed_solomon(data: &[u8], len: usize) -> Vec<u8> {
    let mut divisor = vec![0u8; len];
    divisor[len - 1] = 1;
    let mut root = 1u8;
    for _ in 0..len {
        for j in 0..len {
            divisor[j] = gf_mul(divisor[j], root);
            if j + 1 < len {
                divisor[j] ^= divisor[j + 1];
            }
        }
        root = gf_mul(root, 2);
    }
    let mut rem = vec![0u8; len];
    for &byte in data {
        let factor = byte ^ rem.remove(0);
        rem.push(0);
        for (r, &d) in rem.iter_mut().zip(&divisor) {
            *r ^= gf_mul(d, factor);
        }
    }
    rem
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Renders `code` as a grayscale image (4 pixels a module, 4-module quiet zone) and decodes it
    /// with rqrr.
    fn decode(code: &QrCode) -> String {
        let scale = 4;
        let side = (code.size() + 8) * scale;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            let (mx, my) = (x / scale, y / scale);
            let dark = mx >= 4 && my >= 4 && code.is_dark(mx - 4, my - 4);
            if dark {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "one code in the picture");
        let (meta, text) = grids[0].decode().expect("decodes");
        assert_eq!(meta.ecc_level, 0, "level M");
        text
    }

    #[test]
    fn a_checkout_code_decodes_as_itself_in_version_3() {
        let text = "TSR1.1234567897.59012345.ABCDEFGHIJKLMNOP";
        let code = QrCode::alphanumeric(text).unwrap();
        assert_eq!(code.size(), 29);
        assert_eq!(decode(&code), text);
    }

    #[test]
    fn every_mask_decodes() {
        let text = "TSR1.0000000018.1.A2B3C4D5E6F7G2H3";
        for mask in 0..8 {
            let code = QrCode::encode(text, Some(mask)).unwrap();
            assert_eq!(decode(&code), text, "mask {mask}");
        }
    }

    #[test]
    fn smallest_version_and_limits() {
        assert_eq!(QrCode::alphanumeric("TSR1").unwrap().size(), 21);
        assert_eq!(QrCode::alphanumeric(&"A".repeat(26)).unwrap().size(), 25);
        assert_eq!(QrCode::alphanumeric(&"A".repeat(61)).unwrap().size(), 29);
        assert!(QrCode::alphanumeric(&"A".repeat(62)).is_none());
        assert!(QrCode::alphanumeric("lowercase").is_none());
        assert_eq!(decode(&QrCode::alphanumeric("").unwrap()), "");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn any_alphanumeric_text_round_trips(text in "[0-9A-Z $%*+./:-]{0,61}") {
            let code = QrCode::alphanumeric(&text).unwrap();
            prop_assert_eq!(decode(&code), text);
        }
    }
}
