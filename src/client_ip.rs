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

    #[test]
    fn without_proxies_the_peer_is_the_client_whatever_the_header_says() {
        let trust = TrustProxy::parse("false").unwrap();
        assert_eq!(
            trust.client(ip("203.0.113.9"), ["1.1.1.1"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn one_hop_takes_what_the_proxy_appended_not_what_the_client_wrote() {
        let trust = TrustProxy::parse("true").unwrap();
        assert_eq!(trust, TrustProxy::Hops(1));
        let peer = ip("10.0.0.2");
        assert_eq!(
            trust.client(peer, ["6.6.6.6, 198.51.100.7"].into_iter()),
            ip("198.51.100.7")
        );
        // Two header lines read as one list.
        assert_eq!(
            trust.client(peer, ["6.6.6.6", "198.51.100.7"].into_iter()),
            ip("198.51.100.7")
        );
        // No header: the request did not pass the proxy.
        assert_eq!(trust.client(peer, std::iter::empty()), peer);
    }

    #[test]
    fn several_hops_count_from_the_right() {
        let trust = TrustProxy::parse("2").unwrap();
        let peer = ip("10.0.0.2");
        let header = ["6.6.6.6, 198.51.100.7, 10.0.0.1"];
        assert_eq!(trust.client(peer, header.into_iter()), ip("198.51.100.7"));
        assert_eq!(trust.client(peer, ["10.0.0.1"].into_iter()), peer);
    }

    #[test]
    fn trusted_proxies_are_skipped_from_the_right() {
        let trust = TrustProxy::parse("10.0.0.0/8, 192.0.2.1").unwrap();
        let peer = ip("10.0.0.2");
        let header = ["6.6.6.6, 198.51.100.7:4711, 192.0.2.1, 10.1.2.3"];
        assert_eq!(trust.client(peer, header.into_iter()), ip("198.51.100.7"));
        // A peer that is not a trusted proxy is the client itself.
        assert_eq!(
            trust.client(ip("203.0.113.5"), header.into_iter()),
            ip("203.0.113.5")
        );
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(
            trust.client(peer, ["6.6.6.6, nonsense, 10.1.2.3"].into_iter()),
            ip("10.1.2.3")
        );
        assert_eq!(
            trust.client(peer, ["[2001:db8::1]:80"].into_iter()),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn ipv4_mapped_addresses_are_ipv4() {
        let trust = TrustProxy::parse("127.0.0.1").unwrap();
        let peer = ip("::ffff:127.0.0.1");
        assert_eq!(
            trust.client(peer, ["198.51.100.7"].into_iter()),
            ip("198.51.100.7")
        );
        assert_eq!(
            TrustProxy::Nobody.client(peer, std::iter::empty()),
            ip("127.0.0.1")
        );
        assert_eq!(
            TrustProxy::Hops(1).client(ip("10.0.0.1"), ["::ffff:198.51.100.7"].into_iter()),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        assert!(TrustProxy::parse("maybe").is_err());
        assert!(TrustProxy::parse("99").is_err());
        assert!(TrustProxy::parse("10.0.0.0/33").is_err());
    }
}
