//! The client's address: the peer, or the hop a trusted proxy appended to `X-Forwarded-For`.
//!
//! A client writes whatever it likes into `X-Forwarded-For`; each proxy in
//! front of us *appends* the address it saw. So only entries appended by
//! proxies we trust are facts, and they sit at the right-hand end. The
//! leftmost entry, which the naive reading takes, is the client's own claim.

use std::net::IpAddr;

use ipnet::IpNet;

/// Which proxies in front of the server are believed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum TrustProxy {
    /// Clients connect directly: the peer address is the client.
    #[default]
    Nobody,
    /// This many proxies stand in front, each appending to `X-Forwarded-For`:
    /// the client is the entry the outermost of them appended.
    Hops(usize),
    /// The proxies with these addresses (or in these ranges) are trusted:
    /// the client is the rightmost address that is not one of them.
    Proxies(Vec<IpNet>),
}

impl TrustProxy {
    /// `false`, `true` (one proxy), a number of proxies, or a comma-separated
    /// list of proxy addresses and CIDR ranges.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        match raw.to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" | "off" => return Ok(Self::Nobody),
            "true" | "yes" | "on" => return Ok(Self::Hops(1)),
            _ => {}
        }
        if let Ok(hops) = raw.parse::<usize>() {
            return match hops {
                1..=16 => Ok(Self::Hops(hops)),
                _ => Err("a number of proxies must be 1 to 16".into()),
            };
        }
        raw.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{p:?} is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Proxies)
    }

    /// The client's address from the connection's `peer` and the request's
    /// `X-Forwarded-For` header values, in order.
    pub fn client<'a>(&self, peer: IpAddr, forwarded_for: impl Iterator<Item = &'a str>) -> IpAddr {
        // A dual-stack listener sees IPv4 peers as `::ffff:a.b.c.d`.
        let peer = peer.to_canonical();
        if *self == Self::Nobody {
            return peer;
        }
        // Every hop, leftmost (the client's claim) to rightmost, then the peer.
        let hops: Vec<Option<IpAddr>> = forwarded_for
            .flat_map(|value| value.split(','))
            .map(parse_hop)
            .chain(std::iter::once(Some(peer)))
            .collect();
        match self {
            Self::Nobody => peer,
            Self::Hops(n) => {
                // The peer is the innermost proxy; the outermost of `n`
                // appended the client `n` places left of it. Fewer entries
                // than that: the request did not come through the proxies.
                hops.len()
                    .checked_sub(n + 1)
                    .and_then(|i| hops[i])
                    .unwrap_or(peer)
            }
            Self::Proxies(trusted) => {
                let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
                let mut client = peer;
                for hop in hops.iter().rev() {
                    match hop {
                        Some(ip) if is_trusted(ip) => client = *ip,
                        Some(ip) => return *ip,
                        // Garbage where an address should be: the last
                        // trusted hop is as far as the chain can be believed.
                        None => return client,
                    }
                }
                client
            }
        }
    }
}

/// One `X-Forwarded-For` entry: an address, maybe with a port or brackets.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    let ip = if let Ok(ip) = entry.parse::<IpAddr>() {
        Some(ip)
    } else if let Ok(socket) = entry.parse::<std::net::SocketAddr>() {
        Some(socket.ip())
    } else {
        entry
            .strip_prefix('[')
            .and_then(|rest| rest.split(']').next())
            .and_then(|inner| inner.parse().ok())
    };
    ip.map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    /// Who the client is: (`TRUST_PROXY`, the peer, the `X-Forwarded-For`
    /// lines, the client expected, why).
    #[rustfmt::skip]
    const CASES: &[(&str, &str, &[&str], &str, &str)] = &[
        ("false", "203.0.113.9", &["1.1.1.1"], "203.0.113.9", "no proxy: the header is the client's own"),
        ("true", "10.0.0.2", &["6.6.6.6, 198.51.100.7"], "198.51.100.7", "one hop: what the proxy appended"),
        ("true", "10.0.0.2", &["6.6.6.6", "198.51.100.7"], "198.51.100.7", "two header lines read as one list"),
        ("true", "10.0.0.2", &[], "10.0.0.2", "no header: the request did not pass the proxy"),
        ("2", "10.0.0.2", &["6.6.6.6, 198.51.100.7, 10.0.0.1"], "198.51.100.7", "hops count from the right"),
        ("2", "10.0.0.2", &["10.0.0.1"], "10.0.0.2", "fewer entries than hops"),
        ("10.0.0.0/8, 192.0.2.1", "10.0.0.2", &["6.6.6.6, 198.51.100.7:4711, 192.0.2.1, 10.1.2.3"], "198.51.100.7", "trusted proxies are skipped"),
        ("10.0.0.0/8, 192.0.2.1", "203.0.113.5", &["6.6.6.6, 198.51.100.7:4711, 192.0.2.1, 10.1.2.3"], "203.0.113.5", "an untrusted peer is the client"),
        ("10.0.0.0/8, 192.0.2.1", "10.0.0.2", &["6.6.6.6, nonsense, 10.1.2.3"], "10.1.2.3", "garbage stops the walk at the last trusted hop"),
        ("10.0.0.0/8, 192.0.2.1", "10.0.0.2", &["[2001:db8::1]:80"], "2001:db8::1", "a bracketed IPv6 with a port"),
        ("127.0.0.1", "::ffff:127.0.0.1", &["198.51.100.7"], "198.51.100.7", "an IPv4-mapped peer is IPv4"),
        ("false", "::ffff:127.0.0.1", &[], "127.0.0.1", "an IPv4-mapped client is IPv4"),
        ("1", "10.0.0.1", &["::ffff:198.51.100.7"], "198.51.100.7", "an IPv4-mapped entry is IPv4"),
    ];

    #[test]
    fn the_client_is_the_last_address_no_trusted_proxy_wrote() {
        for (setting, peer, header, expected, why) in CASES {
            let trust = TrustProxy::parse(setting).unwrap();
            let client = trust.client(ip(peer), header.iter().copied());
            assert_eq!(
                client,
                ip(expected),
                "{why} ({setting}, {peer}, {header:?})"
            );
        }
        assert_eq!(TrustProxy::parse("true").unwrap(), TrustProxy::Hops(1));
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(TrustProxy::parse("maybe").is_err());
        assert!(TrustProxy::parse("99").is_err());
        assert!(TrustProxy::parse("10.0.0.0/33").is_err());
    }
}
