//! Reading a QR code from a camera frame, in the console itself: Chromium on Linux and many
//! desktop browsers have no `BarcodeDetector`, and a decoder compiled in works everywhere.

/// The text of the first QR code found in `rgba` (`width` x `height` pixels, 4 bytes each, as
/// in a canvas's `ImageData`), if any decodes.
pub fn decode_rgba(rgba: &[u8], width: usize, height: usize) -> Option<String> {
    if width == 0 || height == 0 || rgba.len() < width * height * 4 {
        return None;
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        let i = (y * width + x) * 4;
        luma(rgba[i], rgba[i + 1], rgba[i + 2])
    });
    image
        .detect_grids()
        .into_iter()
        .find_map(|grid| grid.decode().ok().map(|(_, text)| text))
}

/// Perceived brightness (ITU-R BT.601 weights), integers only.
pub fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000) as u8
}

/// The size to scan a `width` x `height` frame at: at most `max` pixels on the long side
/// (decoding time grows with the pixels; a code filling part of a 640-pixel frame still has
/// several pixels a module), never upscaled.
pub fn scan_size(width: u32, height: u32, max: u32) -> (u32, u32) {
    let long = width.max(height);
    if long <= max || long == 0 {
        return (width, height);
    }
    // Rounded to the nearest pixel, at least one.
    let scale = |side: u32| {
        ((u64::from(side) * u64::from(max) + u64::from(long) / 2) / u64::from(long)).max(1) as u32
    };
    (scale(width), scale(height))
}
