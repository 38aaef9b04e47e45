//! Who the client is, by network address: the TCP peer, or — only when that peer is a
//! configured trusted proxy (`serve --trusted-proxies`, `NWD_TRUSTED_PROXIES`, CIDRs) — the
//! address the proxy recorded in `X-Forwarded-For`. Rate limits and audit entries key on it.
//! It owns nothing else (the limits are `crate::limits`).
//!
//! Production runs behind a TLS reverse proxy (the session cookie is `Secure`), where every
//! request's TCP peer is the proxy; trusting `X-Forwarded-For` from anyone else would let a
//! client choose its own address and slip every per-address limit (docs/security.md).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::Request;

/// A block of addresses, `192.0.2.0/24`, `2001:db8::/32` or one address (`10.0.0.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `address[/prefix]`; says what is wrong otherwise.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or CIDR block, e.g. 10.0.0.0/8"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Cidr { network, prefix })
    }

    /// True when `address` is in the block (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(address),
            v4 => v4,
        };
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Parses a comma- or space-separated list of CIDRs (empty: trust no proxy).
pub fn parse_list(text: &str) -> Result<Vec<Cidr>, String> {
    text.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(Cidr::parse)
        .collect()
}

/// The client's address as resolved once per request by `crate::limits::limit` (and read by
/// the audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// The client address of `request`: the TCP peer, unless the peer is in `trusted`, in which
/// case the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (the last
/// hop a trusted proxy saw; entries to its left were written by the client and prove
/// nothing). Without a peer (in-process calls) `0.0.0.0`.
pub fn resolve<B>(request: &Request<B>, trusted: &[Cidr]) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let is_trusted = |a: IpAddr| trusted.iter().any(|c| c.contains(a));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = request
        .headers()
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| hop.trim().parse::<IpAddr>())
        .collect::<Result<_, _>>()
        .unwrap_or_default();
    hops.into_iter()
        .rev()
        .find(|hop| !is_trusted(*hop))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, forwarded: &[&str]) -> Request<()> {
        let mut request = Request::new(());
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>(
            format!("{peer}:1234")
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0))),
        ));
        for value in forwarded {
            request.headers_mut().append(
                "x-forwarded-for",
                value
                    .parse()
                    .unwrap_or_else(|_| axum::http::HeaderValue::from_static("")),
            );
        }
        request
    }

    fn check(peer: &str, forwarded: &[&str], trusted: &str, expected: &str) {
        let trusted = parse_list(trusted).unwrap_or_default();
        assert_eq!(
            resolve(&request(peer, forwarded), &trusted).to_string(),
            expected,
            "{peer} {forwarded:?}"
        );
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_proxy() {
        // No proxy trusted: the header is ignored, whoever sends it.
        check("203.0.113.9", &["198.51.100.1"], "", "203.0.113.9");
        // From an untrusted peer, ignored even when proxies are configured.
        check(
            "203.0.113.9",
            &["198.51.100.1"],
            "10.0.0.0/8",
            "203.0.113.9",
        );
        // From the proxy: the last hop it saw.
        check("10.0.0.5", &["198.51.100.1"], "10.0.0.0/8", "198.51.100.1");
        // A client-forged left-hand entry proves nothing.
        check(
            "10.0.0.5",
            &["1.2.3.4, 198.51.100.1"],
            "10.0.0.0/8",
            "198.51.100.1",
        );
        // Chained trusted proxies are skipped.
        check(
            "10.0.0.5",
            &["198.51.100.1", "10.0.0.7"],
            "10.0.0.0/8",
            "198.51.100.1",
        );
        // Garbage in the header: the peer.
        check("10.0.0.5", &["not-an-address"], "10.0.0.0/8", "10.0.0.5");
        check("10.0.0.5", &[], "10.0.0.5", "10.0.0.5");
    }

    #[test]
    fn cidrs_parse_and_contain() {
        let v4 = Cidr::parse("192.0.2.0/24").unwrap();
        assert!(v4.contains("192.0.2.200".parse().unwrap()));
        assert!(!v4.contains("192.0.3.1".parse().unwrap()));
        assert!(v4.contains("::ffff:192.0.2.1".parse().unwrap()));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains("2001:db8::1".parse().unwrap()));
        assert!(Cidr::parse("0.0.0.0/0")
            .unwrap()
            .contains("8.8.8.8".parse().unwrap()));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nonsense").is_err());
    }
}
