//! Where a webhook may be sent (SSRF): an `https://` URL whose host resolves only to public
//! addresses. An operator running receivers on a private network (or tests on loopback) sets
//! `WEBHOOK_ALLOW_PRIVATE=true`, which also admits `http://`.
//!
//! The URL is checked when an endpoint is created or updated (its literal address, or what its
//! name resolves to), and the address is checked again when the deliverer connects
//! ([`super::client`]): a name that resolved to a public address then may resolve to a private
//! one later (DNS rebinding).
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::Url;

use crate::error::{AppError, AppResult};

/// Longest URL an endpoint may have.
pub const MAX_URL: usize = 2048;

/// Whether private, loopback and link-local targets (and plain `http://`) are allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetPolicy {
    pub allow_private: bool,
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("url is not a valid absolute URL")]
    Invalid,
    #[error("url must use https://")]
    NotHttps,
    #[error("url must not carry a user name or password")]
    Credentials,
    #[error("url must name a host")]
    NoHost,
    #[error(
        "url resolves to {0}, a private, loopback, link-local or otherwise non-public address"
    )]
    Private(IpAddr),
    #[error("url's host does not resolve")]
    Unresolved,
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> Self {
        AppError::bad_input("url", r.to_string())
    }
}

impl TargetPolicy {
    /// The URL as given, if its form is allowed (no name resolution).
    pub fn parse(&self, text: &str) -> Result<Url, Refused> {
        let text = text.trim();
        if text.len() > MAX_URL {
            return Err(Refused::Invalid);
        }
        let url = Url::parse(text).map_err(|_| Refused::Invalid)?;
        match url.scheme() {
            "https" => {}
            "http" if self.allow_private => {}
            _ => return Err(Refused::NotHttps),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused::Credentials);
        }
        match url.host() {
            None => Err(Refused::NoHost),
            Some(url::Host::Ipv4(ip)) => self.address(IpAddr::V4(ip)).map(|_| url.clone()),
            Some(url::Host::Ipv6(ip)) => self.address(IpAddr::V6(ip)).map(|_| url.clone()),
            Some(url::Host::Domain(_)) => Ok(url.clone()),
        }
    }

    /// The URL, if allowed and (for a name) every address it resolves to is.
    pub async fn check(&self, text: &str) -> AppResult<Url> {
        let url = self.parse(text)?;
        if let Some(url::Host::Domain(_)) = url.host() {
            self.resolve(&url).await?;
        }
        Ok(url)
    }

    /// The addresses `url`'s host resolves to, each allowed.
    pub async fn resolve(&self, url: &Url) -> Result<Vec<SocketAddr>, Refused> {
        let host = url.host_str().ok_or(Refused::NoHost)?;
        let port = url.port_or_known_default().unwrap_or(443);
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::Unresolved)?
            .collect();
        if addrs.is_empty() {
            return Err(Refused::Unresolved);
        }
        for a in &addrs {
            self.address(a.ip())?;
        }
        Ok(addrs)
    }

    /// `ip`, if the policy allows sending to it.
    pub fn address(&self, ip: IpAddr) -> Result<IpAddr, Refused> {
        if self.allow_private || is_public(ip) {
            Ok(ip)
        } else {
            Err(Refused::Private(ip))
        }
    }
}

/// Whether `ip` is a global unicast address: not loopback, private, link-local (cloud metadata
/// lives at 169.254.169.254), shared, documentation, benchmarking, multicast or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] == 0x2001 && s[1] == 0x0db8)
        || (s[0] == 0x64 && s[1] == 0xff9b)
        || (s[0] == 0x2002)
        || s[0] == 0x0100 && s[1..4] == [0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        allow_private: false,
    };

    #[test]
    fn private_loopback_and_metadata_targets_are_refused_by_their_text() {
        for url in [
            "http://169.254.169.254/latest/meta-data",
            "https://169.254.169.254/",
            "https://10.0.0.1/hook",
            "https://192.168.1.5/",
            "https://172.16.0.1/",
            "https://127.0.0.1:8443/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
        ] {
            assert!(STRICT.parse(url).is_err(), "{url}");
        }
        assert_eq!(
            STRICT.parse("http://hooks.example.com/"),
            Err(Refused::NotHttps)
        );
        assert_eq!(STRICT.parse("ftp://x.example/"), Err(Refused::NotHttps));
        assert_eq!(
            STRICT.parse("https://u:p@hooks.example.com/"),
            Err(Refused::Credentials)
        );
        assert!(STRICT.parse("https://hooks.example.com/x").is_ok());
        assert!(STRICT.parse("https://93.184.216.34/x").is_ok());
    }

    #[tokio::test]
    async fn a_name_is_refused_by_what_it_resolves_to() {
        for url in ["https://localhost/", "https://LOCALHOST:9000/x"] {
            assert!(STRICT.check(url).await.is_err(), "{url}");
        }
    }

    #[test]
    fn the_operator_may_allow_private_targets() {
        let open = TargetPolicy {
            allow_private: true,
        };
        assert!(open.parse("http://127.0.0.1:9000/hook").is_ok());
        assert!(open.parse("http://[::1]:9000/").is_ok());
        assert_eq!(open.parse("ftp://127.0.0.1/"), Err(Refused::NotHttps));
    }
}
