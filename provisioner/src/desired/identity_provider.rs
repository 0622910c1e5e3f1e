//! An identity provider (Google, Facebook, Apple, Amazon, an OIDC or SAML provider) as the
//! spec declares it and as DescribeIdentityProvider reports it, and its requests.
//!
//! The provider's secret (an OAuth client secret, or Apple's private key) is never in the
//! spec, a plan or a log: the spec names where it lives ([`SecretSource`]), `observe` reads it
//! only to compare it with what AWS holds (the plan learns whether they differ, not the
//! values), and `apply` reads it again when it sends the request.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use aws_sdk_cognitoidentityprovider::operation::create_identity_provider::{
    CreateIdentityProviderInput, builders::CreateIdentityProviderInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::delete_identity_provider::{
    DeleteIdentityProviderInput, builders::DeleteIdentityProviderInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::update_identity_provider::{
    UpdateIdentityProviderInput, builders::UpdateIdentityProviderInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderType, IdentityProviderTypeType};

use super::{Field, field, list};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityProvider {
    /// The name clients list in `identity_providers`.
    pub name: String,
    pub kind: ProviderKind,
    /// ProviderDetails without the secret, as AWS spells the keys.
    pub details: BTreeMap<String, String>,
    /// Where the secret is, for the kinds that have one.
    pub secret: Option<SecretSource>,
    /// User pool attribute -> provider attribute.
    pub attribute_mapping: BTreeMap<String, String>,
}

closed_set! {
    /// An identity provider's type (ProviderType).
    pub enum ProviderKind {
        Google = ("google", "Google"),
        Facebook = ("facebook", "Facebook"),
        Apple = ("apple", "SignInWithApple"),
        Amazon = ("amazon", "LoginWithAmazon"),
        Oidc = ("oidc", "OIDC"),
        Saml = ("saml", "SAML"),
    }
}

impl ProviderKind {
    /// The name AWS requires for a social provider (its type); OIDC and SAML providers are
    /// named freely.
    pub const fn fixed_name(self) -> Option<&'static str> {
        match self {
            ProviderKind::Google | ProviderKind::Facebook | ProviderKind::Apple | ProviderKind::Amazon => {
                Some(self.as_aws())
            }
            ProviderKind::Oidc | ProviderKind::Saml => None,
        }
    }

    /// The ProviderDetails key that holds the secret; SAML has none.
    pub const fn secret_key(self) -> Option<&'static str> {
        match self {
            ProviderKind::Google | ProviderKind::Facebook | ProviderKind::Amazon | ProviderKind::Oidc => {
                Some("client_secret")
            }
            ProviderKind::Apple => Some("private_key"),
            ProviderKind::Saml => None,
        }
    }

    /// Whether DescribeIdentityProvider returns the secret, so drift in it can be seen.
    /// AWS never returns Apple's private key.
    pub const fn secret_is_described(self) -> bool {
        match self {
            ProviderKind::Google | ProviderKind::Facebook | ProviderKind::Amazon | ProviderKind::Oidc => true,
            ProviderKind::Apple | ProviderKind::Saml => false,
        }
    }

    /// How AWS joins `authorize_scopes`: Facebook with commas, the rest with spaces.
    pub const fn scope_separator(self) -> &'static str {
        match self {
            ProviderKind::Facebook => ",",
            ProviderKind::Google
            | ProviderKind::Apple
            | ProviderKind::Amazon
            | ProviderKind::Oidc
            | ProviderKind::Saml => " ",
        }
    }

    /// The ProviderDetails AWS derives from one key the spec sets: the endpoints it
    /// discovers from an OIDC issuer, Facebook's URLs (they name the Graph API version), the
    /// SAML endpoints read from the metadata (and the metadata file the URL replaces).
    /// DescribeIdentityProvider reports them beside the key; sent back after that key
    /// changed, they would pin the old values.
    const fn derived_details(self) -> Option<(&'static str, &'static [&'static str])> {
        match self {
            ProviderKind::Oidc => Some((
                "oidc_issuer",
                &["authorize_url", "token_url", "attributes_url", "jwks_uri"],
            )),
            ProviderKind::Facebook => Some(("api_version", &["authorize_url", "token_url", "attributes_url"])),
            ProviderKind::Saml => Some((
                "MetadataURL",
                &["MetadataFile", "SSORedirectBindingURI", "SLORedirectBindingURI"],
            )),
            ProviderKind::Google | ProviderKind::Apple | ProviderKind::Amazon => None,
        }
    }
}

/// ProviderDetails AWS generates and reports but refuses back: the SAML encryption
/// certificate, which AWS rotates ("Signing certificates are expired" once it has;
/// terraform-provider-aws #36912, whose update drops it too).
const GENERATED_DETAILS: [&str; 1] = ["ActiveEncryptionCertificate"];

/// Where a provider's secret is read from, at apply time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable of whoever runs the provisioner.
    Env(String),
    /// An SSM parameter (a SecureString), read with decryption.
    Ssm(String),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Env(name) => write!(f, "environment variable {name}"),
            SecretSource::Ssm(name) => write!(f, "SSM parameter {name}"),
        }
    }
}

/// A secret's value. Its Debug and Display never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Whether the secret AWS holds is the one the spec points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretState {
    Same,
    Differs,
    /// AWS does not return it (Apple's private key): sent on create only.
    Unknown,
}

impl IdentityProvider {
    /// The provider as DescribeIdentityProvider reports it, its secret taken out.
    pub fn from_aws(provider: &IdentityProviderType) -> Option<Self> {
        let kind = ProviderKind::from_aws(provider.provider_type()?.as_str())?;
        let mut details: BTreeMap<String, String> = provider
            .provider_details()
            .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        if let Some(key) = kind.secret_key() {
            details.remove(key);
        }
        Some(Self {
            name: provider.provider_name()?.to_owned(),
            kind,
            details,
            secret: None,
            attribute_mapping: provider
                .attribute_mapping()
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default(),
        })
    }

    /// The managed settings for the plan. AWS adds details of its own (the endpoints it
    /// discovered, a `username` mapping), so only the keys the spec sets are compared;
    /// scopes compare as sets.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![field("type", self.kind.as_aws())];
        for (key, value) in &self.details {
            let shown = if key == "authorize_scopes" {
                list(value.split([' ', ',']).map(str::trim).filter(|s| !s.is_empty()))
            } else {
                value.clone()
            };
            fields.push(field(key, shown));
        }
        fields.extend(
            self.attribute_mapping
                .iter()
                .map(|(k, v)| field(&format!("attribute_mapping.{k}"), v)),
        );
        fields
    }

    /// CreateIdentityProvider, without the secret: `apply` reads it from its source and puts
    /// it in just before sending.
    pub fn create_request(&self, pool_id: &str) -> CreateIdentityProviderInputBuilder {
        CreateIdentityProviderInput::builder()
            .user_pool_id(pool_id)
            .provider_name(&self.name)
            .provider_type(IdentityProviderTypeType::from(self.kind.as_aws()))
            .set_provider_details(Some(self.details.clone().into_iter().collect()))
            .set_attribute_mapping(Some(self.attribute_mapping.clone().into_iter().collect()))
    }

    /// DeleteIdentityProvider for a provider of the pool that the spec no longer declares.
    pub fn delete_request(pool_id: &str, name: &str) -> DeleteIdentityProviderInputBuilder {
        DeleteIdentityProviderInput::builder()
            .user_pool_id(pool_id)
            .provider_name(name)
    }

    /// UpdateIdentityProvider: `current`'s details, mappings and ACR mapping with the spec's
    /// on top, so what AWS added (discovered endpoints, the `username` mapping) is kept,
    /// except what AWS generates and what it derived from a key the spec changes; the secret
    /// is left out here too (`apply` puts it in).
    pub fn update_request(&self, pool_id: &str, current: &IdentityProviderType) -> UpdateIdentityProviderInputBuilder {
        let mut details: HashMap<String, String> = current.provider_details().cloned().unwrap_or_default();
        if let Some(key) = self.kind.secret_key() {
            details.remove(key);
        }
        if let Some((source, derived)) = self.kind.derived_details()
            && details.get(source) != self.details.get(source)
        {
            details.retain(|key, _| !derived.contains(&key.as_str()));
        }
        details.retain(|key, _| !GENERATED_DETAILS.contains(&key.as_str()));
        details.extend(self.details.clone());
        let mut mapping = current.attribute_mapping().cloned().unwrap_or_default();
        mapping.extend(self.attribute_mapping.clone());
        UpdateIdentityProviderInput::builder()
            .user_pool_id(pool_id)
            .provider_name(&self.name)
            .set_provider_details(Some(details))
            .set_attribute_mapping(Some(mapping))
            .set_idp_identifiers(Some(current.idp_identifiers().to_vec()).filter(|i| !i.is_empty()))
            .set_acr_mapping(current.acr_mapping().cloned())
    }
}
