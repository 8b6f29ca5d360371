//! Signing in with the ministry's identity provider: the OpenID Connect side of
//! `GET /session/oidc` and its callback ([`crate::routes::oidc`]). The rules (which claim names
//! which user, how long a sign-in may stay at the provider, single use) are the core's
//! ([`siproc_core::accounts::oidc`]).
//!
//! The protocol is the [`openidconnect`] crate's, not hand-written: it is the maintained Rust
//! implementation of the relying party (discovery, the authorization code flow, PKCE, the ID
//! token's checks), strongly typed so that a token cannot be used before it is verified, and it
//! verifies signatures with RustCrypto's RSA and elliptic-curve crates, the family the rest of
//! siproc's cryptography comes from. What it does here:
//!
//! - **Discovery**: the provider's metadata and its signing keys (JWKS) from
//!   `ISSUER/.well-known/openid-configuration`, whose `issuer` must be the configured one; kept
//!   [`DISCOVERY_MINUTES`] (a provider that rotates its keys is read again within that time).
//! - **The authorization code flow with PKCE** (S256), a random `state` and a random `nonce`
//!   per sign-in; the state, nonce and verifier stay on the server
//!   ([`siproc_core::accounts::oidc::PendingLogin`]), bound to the browser by a short-lived
//!   cookie ([`COOKIE`]).
//! - **The ID token**: its signature against the provider's JWKS (RS256 and the other
//!   asymmetric algorithms the crate knows; never `none`), its issuer, its audience (this
//!   client), its expiry and its `nonce`; and the access token's hash (`at_hash`) when given.
//!   A claim the ID token leaves out (providers such as `oidc-provider` keep profile claims for
//!   the user info endpoint) is read from the user info endpoint with the access token, whose
//!   `sub` must be the ID token's.
//! - **Signing out at the provider** (OpenID Connect RP-Initiated Logout 1.0): when the
//!   metadata names an `end_session_endpoint`, signing out of siproc also sends the browser
//!   there with this client's id and the post-logout redirect URI (the public origin followed
//!   by `/`), so that the next person at a shared consulate computer is asked for their own
//!   credentials by the provider instead of finding the previous person still signed in there.
//!   No ID token is kept for an `id_token_hint`: the provider asks the person to confirm.
//! - **Talking to the provider**: reqwest with rustls, redirects not followed (a redirect could
//!   send the client secret's request elsewhere), 10 seconds at most per request.
//!
//! Neither the client secret, the code, the tokens nor the nonce is ever logged: the log says
//! which step failed, never what was sent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderValue};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreUserInfoClaims};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use siproc_core::accounts::oidc::{Identity, LoginClaim, PendingLogin};

/// The path of the callback under the public origin (the redirect URI registered at the
/// provider is the public origin followed by it).
pub const CALLBACK_PATH: &str = "/api/v1/session/oidc/callback";
/// The browser's cookie of a sign-in begun, over HTTPS.
pub const SECURE_COOKIE: &str = "__Host-siproc_oidc";
/// The same over plain HTTP.
pub const COOKIE: &str = "siproc_oidc";
/// Minutes the provider's metadata and keys are kept before they are read again.
pub const DISCOVERY_MINUTES: u64 = 15;
/// Seconds one request to the provider may take.
const REQUEST_SECONDS: u64 = 10;

/// How to reach the ministry's provider (`oidc.*` options).
#[derive(Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// The issuer URL (`oidc.issuer`).
    pub issuer: String,
    /// This server's client id at the provider (`oidc.client_id`).
    pub client_id: String,
    /// Its client secret (`oidc.client_secret` or `oidc.client_secret_file`): never logged.
    pub client_secret: String,
    /// Which claim names the siproc login (`oidc.claim`).
    pub claim: LoginClaim,
    /// For `oidc.claim = "email"`: the one domain whose addresses count (`oidc.email_domain`).
    pub email_domain: Option<String>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("claim", &self.claim)
            .finish_non_exhaustive()
    }
}

/// Why a step with the provider did not give an identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcError {
    /// The provider cannot be reached, or its metadata is not usable: nobody's fault but
    /// the network's or the configuration's; the person may try again later.
    Unavailable,
    /// The provider's answer is refused (for the audit log: `token_invalid`,
    /// `provider_refused`).
    Refused(&'static str),
}

/// The client as discovery makes it: the authorization endpoint known, the token and user
/// info endpoints as the metadata says.
type Provider = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What discovery found: the client, and where the provider signs people out, if it does.
struct Discovered {
    client: Provider,
    end_session: Option<EndSessionUrl>,
}

/// A sign-in to send the browser to the provider with: the address, and what the server keeps.
pub struct Begun {
    /// The provider's authorization address (with `state`, `nonce` and the PKCE challenge).
    pub url: String,
    /// The `state` (kept by its hash).
    pub state: String,
    /// The `nonce`.
    pub nonce: String,
    /// The PKCE verifier.
    pub pkce_verifier: String,
}

/// The ministry's provider, as this server uses it.
pub struct Oidc {
    settings: OidcSettings,
    redirect: RedirectUrl,
    post_logout: PostLogoutRedirectUrl,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<(Instant, Arc<Discovered>)>>,
}

impl Oidc {
    /// The provider of `settings`, for a server reached at `public_origin` (the redirect URI
    /// and the post-logout redirect URI are derived from it). Nothing is fetched yet.
    pub fn new(settings: OidcSettings, public_origin: &str) -> Result<Oidc, String> {
        IssuerUrl::new(settings.issuer.clone()).map_err(|_| "the issuer is not a URL")?;
        let origin = public_origin.trim_end_matches('/');
        let redirect = RedirectUrl::new(format!("{origin}{CALLBACK_PATH}"))
            .map_err(|_| "the public origin does not make a redirect URI")?;
        let post_logout = PostLogoutRedirectUrl::new(format!("{origin}/"))
            .map_err(|_| "the public origin does not make a post-logout redirect URI")?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(REQUEST_SECONDS))
            .build()
            .map_err(|_| "no HTTP client")?;
        Ok(Oidc {
            settings,
            redirect,
            post_logout,
            http,
            discovered: tokio::sync::Mutex::new(None),
        })
    }

    /// The settings.
    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    /// The redirect URI this server registers at the provider.
    pub fn redirect_uri(&self) -> &str {
        self.redirect.as_str()
    }

    /// The post-logout redirect URI this server registers at the provider (the public origin
    /// followed by `/`: the web application, which then shows its sign-in page).
    pub fn post_logout_redirect_uri(&self) -> &str {
        self.post_logout.as_str()
    }

    /// The provider's client, from discovery no older than [`DISCOVERY_MINUTES`].
    async fn provider(&self) -> Result<Arc<Discovered>, OidcError> {
        let mut discovered = self.discovered.lock().await;
        if let Some((at, provider)) = discovered.as_ref()
            && at.elapsed() < Duration::from_secs(DISCOVERY_MINUTES * 60)
        {
            return Ok(provider.clone());
        }
        let issuer =
            IssuerUrl::new(self.settings.issuer.clone()).map_err(|_| OidcError::Unavailable)?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|_| {
                tracing::warn!("oidc: the provider's discovery document or keys cannot be read");
                OidcError::Unavailable
            })?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let provider = Arc::new(Discovered {
            client: CoreClient::from_provider_metadata(
                metadata,
                ClientId::new(self.settings.client_id.clone()),
                Some(ClientSecret::new(self.settings.client_secret.clone())),
            )
            .set_redirect_uri(self.redirect.clone()),
            end_session,
        });
        *discovered = Some((Instant::now(), provider.clone()));
        Ok(provider)
    }

    /// A new sign-in: where to send the browser, with a fresh `state`, `nonce` and PKCE pair.
    pub async fn begin(&self) -> Result<Begun, OidcError> {
        let provider = &self.provider().await?.client;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in ["profile", "email"] {
            request = request.add_scope(Scope::new(scope.to_owned()));
        }
        let (url, state, nonce) = request.url();
        Ok(Begun {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Finishes the sign-in `pending` with the provider's `code`: the code exchanged (with
    /// the PKCE verifier), the ID token verified (signature, issuer, audience, expiry, nonce,
    /// `at_hash`), and the person's identity, completed from the user info endpoint when the
    /// configured claim is not in the token.
    pub async fn finish(&self, code: &str, pending: &PendingLogin) -> Result<Identity, OidcError> {
        let discovered = self.provider().await?;
        let provider = &discovered.client;
        let refused = |step: &'static str, reason: &'static str| {
            tracing::info!(step, "oidc: the provider's answer is refused");
            OidcError::Refused(reason)
        };
        let tokens = provider
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|_| OidcError::Unavailable)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|_| refused("token request", "provider_refused"))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| refused("no ID token", "token_invalid"))?;
        let verifier = provider.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|_| refused("ID token", "token_invalid"))?;
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(|_| refused("at_hash", "token_invalid"))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|_| refused("at_hash", "token_invalid"))?;
            let actual = AccessTokenHash::from_token(tokens.access_token(), alg, key)
                .map_err(|_| refused("at_hash", "token_invalid"))?;
            if actual != *expected {
                return Err(refused("at_hash", "token_invalid"));
            }
        }
        let mut identity = Identity {
            subject: claims.subject().as_str().to_owned(),
            preferred_username: claims.preferred_username().map(|u| u.as_str().to_owned()),
            email: claims.email().map(|e| e.as_str().to_owned()),
            email_verified: claims.email_verified().unwrap_or(false),
        };
        if !identity.has(self.settings.claim) {
            let info: CoreUserInfoClaims = provider
                .user_info(
                    tokens.access_token().clone(),
                    Some(claims.subject().clone()),
                )
                .map_err(|_| refused("no user info endpoint", "token_invalid"))?
                .request_async(&self.http)
                .await
                .map_err(|_| refused("user info", "token_invalid"))?;
            identity.preferred_username = identity
                .preferred_username
                .or_else(|| info.preferred_username().map(|u| u.as_str().to_owned()));
            if identity.email.is_none() {
                identity.email = info.email().map(|e| e.as_str().to_owned());
                identity.email_verified = info.email_verified().unwrap_or(false);
            }
        }
        Ok(identity)
    }

    /// Where to send a browser that signed out of siproc so that it signs out at the provider
    /// too (RP-Initiated Logout: this client's id and the post-logout redirect URI); `None`
    /// when the provider's metadata names no end-session endpoint.
    pub async fn logout_url(&self) -> Result<Option<String>, OidcError> {
        let discovered = self.provider().await?;
        Ok(discovered.end_session.clone().map(|endpoint| {
            LogoutRequest::from(endpoint)
                .set_client_id(ClientId::new(self.settings.client_id.clone()))
                .set_post_logout_redirect_uri(self.post_logout.clone())
                .http_get_url()
                .to_string()
        }))
    }
}

/// The secret of a sign-in begun that the browser's cookie carries, if any.
pub fn cookie_secret(headers: &HeaderMap) -> Option<String> {
    crate::session::cookie(headers, SECURE_COOKIE)
        .or_else(|| crate::session::cookie(headers, COOKIE))
        .map(str::to_owned)
}

/// The `Set-Cookie` value of a sign-in begun: `HttpOnly`, `SameSite=Lax` (the provider sends
/// the browser back with a top-level navigation from its own site, which a `Strict` cookie
/// would not follow), for [`siproc_core::accounts::oidc::PENDING_MINUTES`].
pub fn set_cookie(secret: &str, secure: bool) -> Option<HeaderValue> {
    let (name, flag) = if secure {
        (SECURE_COOKIE, "; Secure")
    } else {
        (COOKIE, "")
    };
    let age = siproc_core::accounts::oidc::PENDING_MINUTES * 60;
    HeaderValue::from_str(&format!(
        "{name}={secret}; Path=/; Max-Age={age}; HttpOnly; SameSite=Lax{flag}"
    ))
    .ok()
}

/// The `Set-Cookie` value that removes it (the callback used it, whatever came of it).
pub fn clear_cookie(secure: bool) -> Option<HeaderValue> {
    let (name, flag) = if secure {
        (SECURE_COOKIE, "; Secure")
    } else {
        (COOKIE, "")
    };
    HeaderValue::from_str(&format!(
        "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{flag}"
    ))
    .ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn settings() -> OidcSettings {
        OidcSettings {
            issuer: "https://id.example.gob.hn/realms/sreci".into(),
            client_id: "siproc".into(),
            client_secret: "s3cr3t-value".into(),
            claim: LoginClaim::default(),
            email_domain: None,
        }
    }

    #[test]
    fn the_redirect_uri_follows_the_public_origin_and_the_secret_is_not_shown() {
        let oidc = Oidc::new(settings(), "https://siproc.example.org/").unwrap();
        assert_eq!(
            oidc.redirect_uri(),
            "https://siproc.example.org/api/v1/session/oidc/callback"
        );
        assert_eq!(
            oidc.post_logout_redirect_uri(),
            "https://siproc.example.org/"
        );
        assert!(!format!("{:?}", oidc.settings()).contains("s3cr3t"));
        let bad = OidcSettings {
            issuer: "not a url".into(),
            ..settings()
        };
        assert!(Oidc::new(bad, "https://siproc.example.org").is_err());
    }

    #[test]
    fn the_cookie_is_lax_http_only_and_short_lived() {
        let secure = set_cookie("s", true).unwrap();
        let secure = secure.to_str().unwrap();
        assert!(secure.starts_with("__Host-siproc_oidc=s;"));
        for part in [
            "Path=/",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Max-Age=600",
        ] {
            assert!(secure.contains(part), "{part}");
        }
        let mut headers = HeaderMap::new();
        headers.insert("cookie", HeaderValue::from_static("a=1; siproc_oidc=xyz"));
        assert_eq!(cookie_secret(&headers).as_deref(), Some("xyz"));
        assert!(
            clear_cookie(false)
                .unwrap()
                .to_str()
                .unwrap()
                .contains("Max-Age=0")
        );
    }
}
