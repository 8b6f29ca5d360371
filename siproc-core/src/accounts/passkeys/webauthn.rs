//! The ceremonies, over `webauthn-rs` (see the parent module for why that crate, and how the
//! relying party follows the server's origin).

use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Uuid, Webauthn, WebauthnBuilder,
};

use super::{
    CEREMONY_SECONDS, Claimed, MAX_PASSKEYS, NewCredential, PasskeyError, RP_NAME, StoredPasskey,
};
use crate::accounts::User;

/// The relying party: this server, at one origin.
pub struct RelyingParty {
    webauthn: Webauthn,
    origin: String,
}

impl std::fmt::Debug for RelyingParty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelyingParty")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// Base64url without padding, as WebAuthn's JSON spells binary.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let index = ((n >> (18 - 6 * i)) & 63) as usize;
            out.push(char::from(ALPHABET.get(index).copied().unwrap_or(b'A')));
        }
    }
    out
}

/// A registration's kept state: whose handle the new credential carries, and the challenge.
#[derive(serde::Serialize, serde::Deserialize)]
struct Registration {
    user_handle: String,
    registration: PasskeyRegistration,
}

fn rejected<E>(_: E) -> PasskeyError {
    PasskeyError::Rejected
}

impl RelyingParty {
    /// The relying party at `origin` (`https://host[:port]`, or `http://localhost:PORT`): its
    /// id is the host. An origin whose host is an IP address, or plain HTTP elsewhere than
    /// `localhost`, has none ([`PasskeyError::Unavailable`]).
    pub fn new(origin: &str) -> Result<RelyingParty, PasskeyError> {
        let url = Url::parse(origin).map_err(|_| PasskeyError::Unavailable)?;
        let host = url.domain().ok_or(PasskeyError::Unavailable)?.to_owned();
        let secure = url.scheme() == "https" || (url.scheme() == "http" && host == "localhost");
        if !secure {
            return Err(PasskeyError::Unavailable);
        }
        let webauthn = WebauthnBuilder::new(&host, &url)
            .and_then(|b| {
                b.rp_name(RP_NAME)
                    .timeout(std::time::Duration::from_secs(u64::from(CEREMONY_SECONDS)))
                    .build()
            })
            .map_err(|_| PasskeyError::Unavailable)?;
        Ok(RelyingParty {
            webauthn,
            origin: url.origin().ascii_serialization(),
        })
    }

    /// The origin ceremonies must come from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Starts adding a passkey to `user`, whose user handle is `handle` and who has
    /// `existing` passkeys (which the authenticator is asked not to register twice): the
    /// options for `navigator.credentials.create` (JSON) and the state to keep (JSON: the
    /// challenge and the user handle).
    pub fn start_registration(
        &self,
        user: &User,
        handle: &str,
        existing: &[StoredPasskey],
    ) -> Result<(serde_json::Value, String), PasskeyError> {
        if existing.len() >= MAX_PASSKEYS {
            return Err(PasskeyError::TooMany { max: MAX_PASSKEYS });
        }
        let handle = Uuid::parse_str(handle).map_err(rejected)?;
        let exclude = existing
            .iter()
            .filter_map(|p| serde_json::from_str::<Passkey>(&p.credential).ok())
            .map(|p| p.cred_id().clone())
            .collect::<Vec<_>>();
        let (options, state) = self
            .webauthn
            .start_passkey_registration(handle, &user.id, &user.display_name, Some(exclude))
            .map_err(rejected)?;
        let mut options = serde_json::to_value(options).map_err(rejected)?;
        // A discoverable credential, so that signing in needs no login (webauthn-rs's passkey
        // flow asks for none; its state does not depend on it).
        if let Some(selection) = options
            .pointer_mut("/publicKey/authenticatorSelection")
            .and_then(serde_json::Value::as_object_mut)
        {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        let kept = Registration {
            user_handle: handle.to_string(),
            registration: state,
        };
        Ok((options, serde_json::to_string(&kept).map_err(rejected)?))
    }

    /// Finishes a registration: checks the browser's `response` against the kept `state`
    /// (challenge, origin, user verification) and answers the credential to store.
    pub fn finish_registration(
        &self,
        state: &str,
        response: &serde_json::Value,
    ) -> Result<NewCredential, PasskeyError> {
        let kept: Registration = serde_json::from_str(state).map_err(rejected)?;
        let response: RegisterPublicKeyCredential =
            serde_json::from_value(response.clone()).map_err(rejected)?;
        let passkey = self
            .webauthn
            .finish_passkey_registration(&response, &kept.registration)
            .map_err(rejected)?;
        Ok(NewCredential {
            user_handle: kept.user_handle,
            credential_id: base64url(passkey.cred_id()),
            credential: serde_json::to_string(&passkey).map_err(rejected)?,
        })
    }

    /// Starts a sign-in with any passkey of this site: the options for
    /// `navigator.credentials.get` (JSON, no credential listed, no login asked) and the state
    /// to keep (JSON).
    pub fn start_sign_in(&self) -> Result<(serde_json::Value, String), PasskeyError> {
        let (options, state) = self
            .webauthn
            .start_discoverable_authentication()
            .map_err(rejected)?;
        let mut options = serde_json::to_value(options).map_err(rejected)?;
        // A button press, not the autofill ("conditional") interface webauthn-rs assumes.
        if let Some(o) = options.as_object_mut() {
            o.remove("mediation");
        }
        Ok((options, serde_json::to_string(&state).map_err(rejected)?))
    }

    /// Whom a sign-in `response` claims to be, before any check: to find the stored passkey.
    pub fn claimed(&self, response: &serde_json::Value) -> Result<Claimed, PasskeyError> {
        let response: PublicKeyCredential =
            serde_json::from_value(response.clone()).map_err(rejected)?;
        let (handle, credential_id) = self
            .webauthn
            .identify_discoverable_authentication(&response)
            .map_err(rejected)?;
        Ok(Claimed {
            user_handle: handle.to_string(),
            credential_id: base64url(credential_id),
        })
    }

    /// Finishes a sign-in: checks `response` against the kept `state` and the `stored`
    /// passkey it claims (signature, challenge, origin, user verification, counter) and
    /// answers the credential to store back (its counter moved on).
    pub fn finish_sign_in(
        &self,
        state: &str,
        response: &serde_json::Value,
        stored: &StoredPasskey,
    ) -> Result<String, PasskeyError> {
        let state: DiscoverableAuthentication = serde_json::from_str(state).map_err(rejected)?;
        let response: PublicKeyCredential =
            serde_json::from_value(response.clone()).map_err(rejected)?;
        let mut passkey: Passkey = serde_json::from_str(&stored.credential).map_err(rejected)?;
        let result = self
            .webauthn
            .finish_discoverable_authentication_v2(&response, state, &passkey)
            .map_err(rejected)?;
        if !result.user_verified() {
            return Err(PasskeyError::Rejected);
        }
        passkey.update_credential(&result);
        serde_json::to_string(&passkey).map_err(rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::passkeys::{MAX_PASSKEYS, PasskeyInfo, new_user_handle};
    use crate::accounts::{NewUser, UserState};
    use crate::actor::Role;

    fn user() -> User {
        NewUser {
            login: "ana".into(),
            display_name: Some("Ana".into()),
            role: Role::Officer,
            office: Some("TAP".into()),
        }
        .user(chrono::Utc::now())
        .unwrap()
    }

    #[test]
    fn the_relying_party_is_the_origins_host_and_never_an_ip_address() {
        let rp = RelyingParty::new("https://siproc.example.org").unwrap();
        assert_eq!(rp.origin(), "https://siproc.example.org");
        let local = RelyingParty::new("http://localhost:8080").unwrap();
        assert_eq!(local.origin(), "http://localhost:8080");
        for bad in [
            "http://127.0.0.1:8080",
            "https://127.0.0.1",
            "https://[::1]:8443",
            "http://siproc.example.org",
            "not an origin",
        ] {
            assert_eq!(
                RelyingParty::new(bad).unwrap_err(),
                PasskeyError::Unavailable,
                "{bad}"
            );
        }
    }

    #[test]
    fn registration_asks_for_a_discoverable_verified_credential_for_this_host() {
        let rp = RelyingParty::new("https://siproc.example.org").unwrap();
        let handle = new_user_handle();
        let (options, state) = rp.start_registration(&user(), &handle, &[]).unwrap();
        assert_eq!(options["publicKey"]["rp"]["id"], "siproc.example.org");
        assert_eq!(options["publicKey"]["user"]["name"], "ana");
        let selection = &options["publicKey"]["authenticatorSelection"];
        assert_eq!(selection["residentKey"], "required");
        assert_eq!(selection["userVerification"], "required");
        assert!(!state.is_empty());
        // A response that is not a WebAuthn credential is refused, not a panic.
        let junk = serde_json::json!({"id": "x", "rawId": "eA", "type": "public-key",
            "response": {"attestationObject": "AA", "clientDataJSON": "AA"}});
        assert!(matches!(
            rp.finish_registration(&state, &junk),
            Err(PasskeyError::Rejected)
        ));
        assert!(matches!(
            rp.finish_registration("{}", &junk),
            Err(PasskeyError::Rejected)
        ));
    }

    #[test]
    fn sign_in_starts_without_a_login_from_a_button() {
        let rp = RelyingParty::new("https://siproc.example.org").unwrap();
        let (options, state) = rp.start_sign_in().unwrap();
        assert_eq!(options["publicKey"]["rpId"], "siproc.example.org");
        assert!(options.get("mediation").is_none());
        assert_eq!(options["publicKey"]["userVerification"], "required");
        assert!(!state.is_empty());
        assert_eq!(
            rp.claimed(&serde_json::json!({})),
            Err(PasskeyError::Rejected)
        );
    }

    #[test]
    fn a_user_keeps_a_bounded_number_of_passkeys() {
        let rp = RelyingParty::new("https://siproc.example.org").unwrap();
        let stored = StoredPasskey {
            info: PasskeyInfo {
                id: "p".into(),
                name: "n".into(),
                created_at: chrono::Utc::now(),
                last_used_at: None,
            },
            user_id: "ana".into(),
            credential_id: "c".into(),
            credential: "{}".into(),
        };
        let many = vec![stored; MAX_PASSKEYS];
        assert_eq!(
            rp.start_registration(&user(), &new_user_handle(), &many)
                .unwrap_err(),
            PasskeyError::TooMany { max: MAX_PASSKEYS }
        );
        assert_eq!(user().state, UserState::Active);
    }

    #[test]
    fn base64url_is_unpadded_and_url_safe() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
