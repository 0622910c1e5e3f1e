//! The strings that must never reach a log: tokens, the authorization code and the client
//! secret. Each is a newtype whose `Debug` says what it is and hides what it holds; the value
//! comes out only through an explicit `secret()`.

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! secret_string {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value received from Cognito or read from configuration.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value itself, to send where it belongs. Never log it.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// The value itself, owned. Never log it.
            pub fn into_secret(self) -> String {
                self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }
    };
}

secret_string!(
    /// An ID token (a JWT about the user). Verify it with [`Verifier::verify_id_token`](crate::Verifier::verify_id_token)
    /// before trusting anything in it.
    IdToken
);
secret_string!(
    /// An access token (a JWT that grants the scopes in it). Verify it with
    /// [`Verifier::verify_access_token`](crate::Verifier::verify_access_token).
    AccessToken
);
secret_string!(
    /// A refresh token: opaque and long-lived (30 days by default); whoever holds it can get
    /// new tokens for the user until it expires or is revoked.
    RefreshToken
);
secret_string!(
    /// The app client's secret, for a confidential client (a server that can keep it).
    ClientSecret
);
secret_string!(
    /// The one-time authorization code from the redirect to the app's callback URL.
    AuthorizationCode
);

// Tokens serialize as their plain strings so an app can keep them in its session store. That
// is an explicit act, unlike `Debug`; a session store is not a log.
macro_rules! serde_transparent {
    ($($name:ident),*) => {$(
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map(Self)
            }
        }
    )*};
}

serde_transparent!(IdToken, AccessToken, RefreshToken);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_names_the_kind_and_hides_the_value() {
        let shown = format!(
            "{:?} {:?} {:?} {:?} {:?}",
            IdToken::new("id-secret-value"),
            AccessToken::new("access-secret-value"),
            RefreshToken::new("refresh-secret-value"),
            ClientSecret::new("client-secret-value"),
            AuthorizationCode::new("code-secret-value"),
        );
        assert_eq!(
            shown,
            "IdToken(<redacted>) AccessToken(<redacted>) RefreshToken(<redacted>) ClientSecret(<redacted>) \
             AuthorizationCode(<redacted>)"
        );
        assert!(!shown.contains("secret-value"));
    }

    #[test]
    fn tokens_serialize_as_their_plain_strings_for_a_session_store() {
        let json = serde_json::to_string(&RefreshToken::new("r.t")).unwrap();
        assert_eq!(json, "\"r.t\"");
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.secret(), "r.t");
    }
}
