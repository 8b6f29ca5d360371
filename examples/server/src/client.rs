//! Who is asking: the client's address and whether it reached us over HTTPS, seen through the
//! reverse proxies the configuration trusts (`trusted_proxies`).
//!
//! The server speaks plain HTTP; TLS ends at the ministry's reverse proxy (nginx, Caddy,
//! HAProxy), which says who its client was in `X-Forwarded-For` and how it was reached in
//! `X-Forwarded-Proto`. Those headers are believed only when the connection comes from a
//! trusted proxy: anyone else could write them. `X-Forwarded-For` is read from the right (the
//! address the nearest proxy added) leftwards, past every trusted proxy: the first address
//! that is not one is the client; a malformed entry stops the walk at the proxy that passed
//! it on. `X-Forwarded-Proto` is the last value the trusted proxy sent. RFC 7239's
//! `Forwarded` header is not read.
//!
//! The client's address decides who may read `GET /metrics` and counts failed form checks; it
//! is never logged. An HTTPS request answers with `Strict-Transport-Security` when the
//! public origin (`public_origin`) is `https://`.
//!
//! Networks are `ipnet`'s (the standard library has addresses, not networks).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;

use crate::startup::Settings;

/// The client of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    /// Its address (an IPv4 client on an IPv6 socket by its IPv4 address).
    pub ip: IpAddr,
    /// Whether it reached the server (or its trusted proxy) over HTTPS.
    pub https: bool,
}

/// Whose forwarding headers are believed, and whether HTTPS answers carry HSTS.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    trusted: Vec<IpNet>,
    hsts: bool,
}

impl Proxies {
    /// Believes the proxies in `trusted`; `https_origin`: the public origin is `https://`.
    pub fn new(trusted: Vec<IpNet>, https_origin: bool) -> Proxies {
        Proxies {
            trusted,
            hsts: https_origin,
        }
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn resolve(&self, peer: IpAddr, headers: &HeaderMap) -> Client {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return Client {
                ip: peer,
                https: false,
            };
        }
        let mut ip = peer;
        let hops = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect::<Vec<_>>();
        for hop in hops.iter().rev() {
            let Ok(hop) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            ip = hop.to_canonical();
            if !self.trusts(ip) {
                break;
            }
        }
        let https = headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"));
        Client { ip, https }
    }
}

impl Proxies {
    /// The proxies and origin of `settings`.
    pub fn from_settings(settings: &Settings) -> Arc<Proxies> {
        let https_origin = settings
            .public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"));
        Arc::new(Proxies::new(settings.trusted_proxies.clone(), https_origin))
    }
}

/// The middleware that finds each request's [`Client`] (an extension the handlers extract)
/// and adds HSTS to HTTPS answers of an `https://` public origin.
pub async fn identify(
    State(proxies): State<Arc<Proxies>>,
    mut req: Request,
    next: Next,
) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|peer| proxies.resolve(peer.0.ip(), req.headers()));
    if let Some(client) = client {
        req.extensions_mut().insert(client);
    }
    let mut res = next.run(req).await;
    if proxies.hsts && client.is_some_and(|c| c.https) {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    /// The request's client; without a connection's address (a router called in-process),
    /// the unspecified address, which is neither loopback nor allowed anything.
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Client, Self::Rejection> {
        Ok(parts.extensions.get::<Client>().copied().unwrap_or(Client {
            ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            https: false,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn forwarding_headers_are_believed_from_trusted_proxies_only() {
        let proxies = Proxies::new(
            vec!["10.0.0.0/24".parse().unwrap(), "::1/128".parse().unwrap()],
            true,
        );
        let forwarded = headers(&[
            ("x-forwarded-for", "198.51.100.1, 203.0.113.9"),
            ("x-forwarded-for", "10.0.0.3"),
            ("x-forwarded-proto", "https"),
        ]);
        // From a stranger: the headers are ignored.
        let c = proxies.resolve("192.0.2.1".parse().unwrap(), &forwarded);
        assert_eq!(
            c,
            Client {
                ip: "192.0.2.1".parse().unwrap(),
                https: false
            }
        );
        // From a trusted proxy: past every trusted hop to the first that is not one.
        let c = proxies.resolve("10.0.0.2".parse().unwrap(), &forwarded);
        assert_eq!(
            c,
            Client {
                ip: "203.0.113.9".parse().unwrap(),
                https: true
            }
        );
        // IPv4 on an IPv6 socket counts by its IPv4 address.
        let c = proxies.resolve("::ffff:10.0.0.2".parse().unwrap(), &forwarded);
        assert_eq!(c.ip, "203.0.113.9".parse::<IpAddr>().unwrap());
        // A malformed hop stops the walk at the proxy that passed it on.
        let bad = headers(&[("x-forwarded-for", "203.0.113.9, junk, 10.0.0.4")]);
        let c = proxies.resolve("::1".parse().unwrap(), &bad);
        assert_eq!(
            c,
            Client {
                ip: "10.0.0.4".parse().unwrap(),
                https: false
            }
        );
        // No header: the proxy itself.
        let c = proxies.resolve("10.0.0.2".parse().unwrap(), &HeaderMap::new());
        assert_eq!(c.ip, "10.0.0.2".parse::<IpAddr>().unwrap());
    }
}
