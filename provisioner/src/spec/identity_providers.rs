//! `[[identity_providers]]`: Google, Facebook, Apple, Amazon, OIDC and SAML sign-in. A
//! provider's secret is named by where it lives (`client_secret_env` / `client_secret_ssm`,
//! Apple's `private_key_env` / `private_key_ssm`), never written in the spec.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Locator, SpecError};
use crate::desired::{COGNITO, IdentityProvider, ProviderKind, SecretSource};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawProvider {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: ProviderKind,
    client_id: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_ssm: Option<Spanned<String>>,
    authorize_scopes: Option<Spanned<Vec<String>>>,
    attribute_mapping: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    issuer: Option<Spanned<String>>,
    attributes_request_method: Option<Spanned<String>>,
    metadata_url: Option<Spanned<String>>,
    team_id: Option<Spanned<String>>,
    key_id: Option<Spanned<String>>,
    private_key_env: Option<Spanned<String>>,
    private_key_ssm: Option<Spanned<String>>,
    api_version: Option<Spanned<String>>,
}

/// The keys each type takes, besides `name`, `type` and `attribute_mapping`.
fn accepted(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        ProviderKind::Google | ProviderKind::Amazon => {
            &["client_id", "client_secret_env | client_secret_ssm", "authorize_scopes"]
        }
        ProviderKind::Facebook => &[
            "client_id",
            "client_secret_env | client_secret_ssm",
            "authorize_scopes",
            "api_version",
        ],
        ProviderKind::Apple => &[
            "client_id",
            "team_id",
            "key_id",
            "private_key_env | private_key_ssm",
            "authorize_scopes",
        ],
        ProviderKind::Oidc => &[
            "client_id",
            "client_secret_env | client_secret_ssm",
            "issuer",
            "attributes_request_method",
            "authorize_scopes",
        ],
        ProviderKind::Saml => &["metadata_url"],
    }
}

/// The ProviderDetails keys (as AWS spells them) that a type's spec keys set, each with its
/// spec key. The secret's key is apart ([`ProviderKind::secret_key`]); any other key AWS
/// reports is one the spec cannot express.
pub(crate) fn detail_keys(kind: ProviderKind) -> &'static [(&'static str, &'static str)] {
    const SCOPES: (&str, &str) = ("authorize_scopes", "authorize_scopes");
    const CLIENT_ID: (&str, &str) = ("client_id", "client_id");
    match kind {
        ProviderKind::Google | ProviderKind::Amazon => &[CLIENT_ID, SCOPES],
        ProviderKind::Facebook => &[CLIENT_ID, SCOPES, ("api_version", "api_version")],
        ProviderKind::Apple => &[CLIENT_ID, ("team_id", "team_id"), ("key_id", "key_id"), SCOPES],
        ProviderKind::Oidc => &[
            CLIENT_ID,
            ("issuer", "oidc_issuer"),
            ("attributes_request_method", "attributes_request_method"),
            SCOPES,
        ],
        ProviderKind::Saml => &[("metadata_url", "MetadataURL")],
    }
}

/// The scopes asked of the provider when the spec names none.
fn default_scopes(kind: ProviderKind) -> &'static [&'static str] {
    match kind {
        ProviderKind::Google => &["openid", "email", "profile"],
        ProviderKind::Facebook => &["public_profile", "email"],
        ProviderKind::Amazon => &["profile"],
        ProviderKind::Apple => &["email", "name"],
        ProviderKind::Oidc => &["openid", "email"],
        ProviderKind::Saml => &[],
    }
}

/// The attributes mapped when the spec maps none: the email (and whether the provider
/// verified it, where it says), which the pre-signup policy and account linking need.
fn default_mapping(kind: ProviderKind) -> &'static [(&'static str, &'static str)] {
    match kind {
        ProviderKind::Google | ProviderKind::Oidc => &[("email", "email"), ("email_verified", "email_verified")],
        ProviderKind::Apple => &[("email", "email"), ("email_verified", "email_verified")],
        ProviderKind::Facebook | ProviderKind::Amazon => &[("email", "email")],
        ProviderKind::Saml => &[],
    }
}

pub(super) fn desired(raw: Vec<RawProvider>, loc: &Locator) -> Result<Vec<IdentityProvider>, SpecError> {
    let mut providers: Vec<IdentityProvider> = Vec::new();
    for provider in raw {
        let name = provider.name.get_ref();
        if !provider_name_ok(name) {
            return Err(loc.on(
                &provider.name,
                format!(
                    "identity provider name {name:?} is not valid; accepted: 3 to 32 characters without spaces or \
                     control characters, with `_` only as the second character (Cognito's ProviderName pattern), \
                     and not COGNITO"
                ),
            ));
        }
        if providers.iter().any(|p| &p.name == name) {
            return Err(loc.on(&provider.name, format!("identity provider {name:?} is listed twice")));
        }
        providers.push(one(provider, loc)?);
    }
    Ok(providers)
}

/// AWS's ProviderNameTypeV2: at most 32 characters matching `[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`,
/// so at least 3, `_` only as the second, no spaces; COGNITO is the pool's own users.
fn provider_name_ok(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    (3..=32).contains(&chars.len())
        && chars.iter().all(|c| !c.is_whitespace() && !c.is_control())
        && chars.iter().enumerate().all(|(i, c)| *c != '_' || i == 1)
        && super::clients::visible(chars[1])
        && name != COGNITO
}

/// AWS's StringType, each ProviderDetails value and attribute-mapping value: at most
/// 131,072 characters.
const MAX_STRING: usize = 131_072;
/// AWS's AttributeMappingKeyType: a pool attribute's name, 1 to 32 characters.
const MAX_MAPPED_ATTRIBUTE: usize = 32;

fn one(raw: RawProvider, loc: &Locator) -> Result<IdentityProvider, SpecError> {
    let kind = raw.kind;
    // AWS names a social provider after its type ("Provider <name> cannot be of type
    // Google", aws-cli#3179); only OIDC and SAML providers are named freely.
    if let Some(required) = kind.fixed_name()
        && raw.name.get_ref() != required
    {
        return Err(loc.on(
            &raw.name,
            format!(
                "a {} provider must be named {required:?} (AWS names social providers after their type); \
                 clients list it by that name",
                kind.as_aws()
            ),
        ));
    }
    let accepted = accepted(kind);
    let takes = |key: &str| accepted.iter().any(|a| a.split(" | ").any(|k| k == key));
    let given: [(&str, Option<&Spanned<String>>); 11] = [
        ("client_id", raw.client_id.as_ref()),
        ("client_secret_env", raw.client_secret_env.as_ref()),
        ("client_secret_ssm", raw.client_secret_ssm.as_ref()),
        ("issuer", raw.issuer.as_ref()),
        ("attributes_request_method", raw.attributes_request_method.as_ref()),
        ("metadata_url", raw.metadata_url.as_ref()),
        ("team_id", raw.team_id.as_ref()),
        ("key_id", raw.key_id.as_ref()),
        ("private_key_env", raw.private_key_env.as_ref()),
        ("private_key_ssm", raw.private_key_ssm.as_ref()),
        ("api_version", raw.api_version.as_ref()),
    ];
    let shape = format!("a {} provider takes {}", kind.as_aws(), accepted.join(", "));
    for (key, value) in given {
        if let Some(value) = value
            && !takes(key)
        {
            return Err(loc.on(value, format!("`{key}` does not apply here: {shape}")));
        }
        if let Some(value) = value
            && value.get_ref().chars().count() > MAX_STRING
        {
            return Err(loc.on(
                value,
                format!("`{key}` is longer than Cognito accepts; accepted: at most {MAX_STRING} characters"),
            ));
        }
    }
    if let Some(scopes) = &raw.authorize_scopes
        && !takes("authorize_scopes")
    {
        return Err(loc.on(scopes, format!("`authorize_scopes` does not apply here: {shape}")));
    }
    let missing = |key: &str| loc.on(&raw.name, format!("`{key}` is missing: {shape}"));
    let mut details = BTreeMap::new();
    let mut require = |key: &str, aws_key: &str, value: &Option<Spanned<String>>| -> Result<(), SpecError> {
        match value {
            Some(value) if !value.get_ref().trim().is_empty() => {
                details.insert(aws_key.to_owned(), value.get_ref().clone());
                Ok(())
            }
            Some(value) => Err(loc.on(value, format!("`{key}` is empty"))),
            None => Err(missing(key)),
        }
    };
    let secret = match kind {
        ProviderKind::Google | ProviderKind::Facebook | ProviderKind::Amazon | ProviderKind::Oidc => {
            require("client_id", "client_id", &raw.client_id)?;
            Some(secret_source(
                &raw.client_secret_env,
                &raw.client_secret_ssm,
                "client_secret",
                &raw.name,
                loc,
            )?)
        }
        ProviderKind::Apple => {
            require("client_id", "client_id", &raw.client_id)?;
            require("team_id", "team_id", &raw.team_id)?;
            require("key_id", "key_id", &raw.key_id)?;
            Some(secret_source(
                &raw.private_key_env,
                &raw.private_key_ssm,
                "private_key",
                &raw.name,
                loc,
            )?)
        }
        ProviderKind::Saml => {
            require("metadata_url", "MetadataURL", &raw.metadata_url)?;
            let url = raw.metadata_url.as_ref().expect("required above");
            if !url.get_ref().starts_with("https://") {
                return Err(loc.on(url, "metadata_url must be an https URL"));
            }
            None
        }
    };
    if kind == ProviderKind::Oidc {
        require("issuer", "oidc_issuer", &raw.issuer)?;
        let issuer = raw.issuer.as_ref().expect("required above");
        if !issuer.get_ref().starts_with("https://") {
            return Err(loc.on(
                issuer,
                "issuer must be an https URL (Cognito discovers the endpoints from it)",
            ));
        }
        let method = raw
            .attributes_request_method
            .as_ref()
            .map_or("GET", |m| m.get_ref().as_str());
        if !matches!(method, "GET" | "POST") {
            return Err(loc.on(
                raw.attributes_request_method.as_ref().unwrap(),
                "attributes_request_method is GET or POST",
            ));
        }
        details.insert("attributes_request_method".into(), method.into());
    }
    if let Some(version) = &raw.api_version {
        details.insert("api_version".into(), version.get_ref().clone());
    }
    if takes("authorize_scopes") {
        let scopes: Vec<String> = match &raw.authorize_scopes {
            Some(scopes) if scopes.get_ref().is_empty() => {
                return Err(loc.on(scopes, "authorize_scopes lists at least one scope"));
            }
            Some(scopes) => scopes.get_ref().clone(),
            None => default_scopes(kind).iter().map(|s| (*s).to_owned()).collect(),
        };
        if let Some(bad) = scopes.iter().find(|s| s.is_empty() || s.contains([' ', ','])) {
            return Err(loc.on(
                raw.authorize_scopes.as_ref().unwrap(),
                format!("scope {bad:?} is not one scope; list each on its own"),
            ));
        }
        let joined = scopes.join(kind.scope_separator());
        if joined.chars().count() > MAX_STRING {
            return Err(loc.on(
                raw.authorize_scopes.as_ref().unwrap(),
                format!(
                    "authorize_scopes is longer than Cognito accepts; accepted: at most {MAX_STRING} characters in all"
                ),
            ));
        }
        details.insert("authorize_scopes".into(), joined);
    }
    let attribute_mapping = match raw.attribute_mapping {
        Some(mapping) => {
            let mut checked = BTreeMap::new();
            for (attribute, claim) in mapping {
                let name = attribute.get_ref();
                if !(1..=MAX_MAPPED_ATTRIBUTE).contains(&name.chars().count()) {
                    return Err(loc.on(
                        &attribute,
                        format!(
                            "attribute_mapping key {name:?} is {} characters; accepted: a pool attribute's name of 1 \
                             to {MAX_MAPPED_ATTRIBUTE} characters (Cognito's limit)",
                            name.chars().count()
                        ),
                    ));
                }
                if claim.get_ref().chars().count() > MAX_STRING {
                    return Err(loc.on(
                        &claim,
                        format!(
                            "attribute_mapping value for {name:?} is longer than Cognito accepts; accepted: a \
                             provider attribute of at most {MAX_STRING} characters"
                        ),
                    ));
                }
                checked.insert(attribute.into_inner(), claim.into_inner());
            }
            checked
        }
        None => default_mapping(kind)
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    };
    Ok(IdentityProvider {
        name: raw.name.into_inner(),
        kind,
        details,
        secret,
        attribute_mapping,
    })
}

/// Exactly one of the two places a secret may be named.
fn secret_source(
    env: &Option<Spanned<String>>,
    ssm: &Option<Spanned<String>>,
    what: &str,
    name: &Spanned<String>,
    loc: &Locator,
) -> Result<SecretSource, SpecError> {
    match (env, ssm) {
        (Some(env), None) => {
            let variable = env.get_ref();
            let ok = variable
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && variable.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(loc.on(env, format!("{variable:?} is not an environment variable name")));
            }
            Ok(SecretSource::Env(variable.clone()))
        }
        (None, Some(ssm)) => {
            let parameter = ssm.get_ref();
            let ok = !parameter.is_empty()
                && parameter.len() <= 2048
                && parameter
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-/".contains(c));
            if !ok {
                return Err(loc.on(ssm, format!("{parameter:?} is not an SSM parameter name")));
            }
            Ok(SecretSource::Ssm(parameter.clone()))
        }
        (Some(env), Some(_)) => Err(loc.on(env, format!("name the {what} once: `{what}_env` or `{what}_ssm`"))),
        (None, None) => Err(loc.on(
            name,
            format!(
                "the provider's {what} is needed: name the environment variable (`{what}_env`) or SSM parameter \
                 (`{what}_ssm`) that holds it; it never goes in the spec"
            ),
        )),
    }
}
