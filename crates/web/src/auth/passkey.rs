//! The WebAuthn relying party: this site, named by its public address.

use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

/// The relying party for `public_url`, or `None` (logged) when browsers would refuse it: an
/// IP address cannot be a WebAuthn relying-party id, so `http://127.0.0.1:8080` has no
/// passkeys while `http://localhost:8080` has.
pub fn relying_party(public_url: &str) -> Option<Webauthn> {
    let built = Url::parse(public_url).ok().and_then(|origin| {
        let host = origin.domain()?.to_owned();
        WebauthnBuilder::new(&host, &origin)
            .ok()?
            .rp_name("Koshu")
            .build()
            .ok()
    });
    if built.is_none() {
        tracing::warn!(
            public_url,
            "passkeys are off: the public address must name a host (such as localhost), not an IP address"
        );
    }
    built
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_host_name_is_a_relying_party_and_an_ip_address_is_not() {
        assert!(relying_party("http://localhost:8080").is_some());
        assert!(relying_party("https://koshu.example.jp").is_some());
        assert!(relying_party("http://127.0.0.1:8080").is_none());
    }
}
