//! The client's address, for the limits that count attempts per address: the socket's peer, or
//! behind proxies the server runs, the entry the nearest untrusted hop was seen from. IPv6
//! addresses are grouped by /64, the block one customer line usually gets.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The network an attempt is counted against: an IPv4 address or an IPv6 /64.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientNet(String);

impl ClientNet {
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(v4) => Self(v4.to_string()),
            IpAddr::V6(v6) => {
                let s = v6.segments();
                let net = Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                Self(format!("{net}/64"))
            }
        }
    }

    /// For a request whose peer is unknown (only in-process callers).
    fn unknown() -> Self {
        Self("unknown".to_owned())
    }
}

impl fmt::Display for ClientNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The client's address given the socket's peer, the `X-Forwarded-For` values in order, and how
/// many proxies of ours stand in front (`hops`). Each proxy appends the address it was reached
/// from, so the `hops`-th entry from the right was written by our outermost proxy; entries left
/// of it are the client's own words and never trusted. Too few entries, or one that is not an
/// address, leaves the peer.
pub fn client_ip<'a>(
    peer: Option<IpAddr>,
    forwarded_for: impl Iterator<Item = &'a [u8]>,
    hops: usize,
) -> Option<IpAddr> {
    if hops == 0 {
        return peer;
    }
    // Read as bytes: a client's unreadable entry must not make the proxy's own entry, in the
    // same header line, unreadable too.
    let values: Vec<String> = forwarded_for
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    let entries: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let Some(index) = entries.len().checked_sub(hops) else {
        return peer;
    };
    parse_entry(entries[index]).or(peer)
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// The [`ClientNet`] of a request.
pub struct ClientAddress(pub ClientNet);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| v.as_bytes());
        Ok(Self(
            client_ip(peer, forwarded, state.trust_proxy_hops)
                .map_or_else(ClientNet::unknown, ClientNet::of),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_entry_our_outermost_proxy_wrote_is_taken() {
        let peer = Some(ip("10.0.0.2"));
        let header: [&[u8]; 2] = [b"198.51.100.1, 127.0.0.1", b"203.0.113.5"];
        assert_eq!(client_ip(peer, header.into_iter(), 0), peer);
        assert_eq!(
            client_ip(peer, header.into_iter(), 1),
            Some(ip("203.0.113.5"))
        );
        assert_eq!(
            client_ip(peer, header.into_iter(), 2),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(
            client_ip(peer, header.into_iter(), 9),
            peer,
            "too few entries"
        );
        assert_eq!(client_ip(peer, [&b"garbage"[..]].into_iter(), 1), peer);
        assert_eq!(
            client_ip(peer, [&b"[2001:db8::1]:443"[..]].into_iter(), 1),
            Some(ip("2001:db8::1"))
        );
        assert_eq!(
            client_ip(peer, [&b"1.2.3.4:80"[..]].into_iter(), 1),
            Some(ip("1.2.3.4"))
        );
    }

    #[test]
    fn ipv6_addresses_are_grouped_by_64_and_mapped_ipv4_is_ipv4() {
        let a = ClientNet::of(ip("2001:db8:1:2:aaaa::1"));
        assert_eq!(a, ClientNet::of(ip("2001:db8:1:2:ffff:1:2:3")));
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
        assert_ne!(a, ClientNet::of(ip("2001:db8:1:3::1")));
        assert_eq!(
            ClientNet::of(ip("::ffff:192.0.2.7")).to_string(),
            "192.0.2.7"
        );
    }
}
