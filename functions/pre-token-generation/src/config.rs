//! The function's configuration: the scopes each group adds to the access token, the scopes
//! each app client may receive that way, the user attributes copied into claims, the claims
//! suppressed. Read once at cold start and checked against what Cognito lets a pre token
//! generation trigger change, so that a setting Cognito would refuse or silently drop stops
//! the start instead; so does a setting that would grant more than the operator named (group
//! scopes without the clients allowed them, a list that is set but empty).

use std::collections::{BTreeMap, BTreeSet};

use trigger_common::{ConfigError, entries};

use crate::claims::{Use, names_an_attribute, refusal};

const GROUP_SCOPES_ACCEPTED: &str = "`group=scope scope;group=scope`: a Cognito group name (1 to 128 \
     characters, no spaces, `=` or `;`), `=`, then one or more scopes separated by spaces (1 to 256 \
     printable ASCII characters each, no `\"`, `\\` or `;`, e.g. `toyseven-api/read`); entries \
     separated by `;`, each group once";
const ATTRIBUTE_CLAIMS_ACCEPTED: &str = "`attribute=claim,attribute=claim`: a user attribute name (1 to 32 \
     printable ASCII characters, no spaces, `=` or `,`, e.g. `custom:tenant_id`), `=`, then a claim \
     name (1 to 128 ASCII letters, digits, `_`, `-`, `.`, `:` or `/`) that a trigger may add; each \
     claim once";
const CLIENT_SCOPES_ACCEPTED: &str = "`client=scope scope;client=scope`: an app client id (1 to 128 ASCII \
     letters, digits, `_` or `+`, AWS's ClientId), `=`, then the scopes a group may add to that \
     client's access tokens, separated by spaces (none: the client gets no group scope); entries \
     separated by `;`, each client once; required with GROUP_SCOPES";
const SUPPRESS_CLAIMS_ACCEPTED: &str = "comma-separated claim names (1 to 128 ASCII letters, digits, `_`, \
     `-`, `.`, `:` or `/`) that a trigger may suppress, none of them also in ATTRIBUTE_CLAIMS";

/// A user attribute copied into a claim of both tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeClaim {
    /// The attribute's name in `request.userAttributes`, e.g. `custom:tenant_id`.
    pub attribute: String,
    /// The claim it becomes, e.g. `tenant_id`.
    pub claim: String,
}

/// The function's configuration, read once at cold start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The scopes a member of each group gets in the access token, where the calling client
    /// may receive them (`client_scopes`).
    pub group_scopes: BTreeMap<String, BTreeSet<String>>,
    /// App client id to the scopes a group may add to its access tokens. A client not listed
    /// gets no group scope.
    pub client_scopes: BTreeMap<String, BTreeSet<String>>,
    /// The attributes copied into claims, in the order configured.
    pub attribute_claims: Vec<AttributeClaim>,
    /// The claims suppressed in both tokens.
    pub suppress_claims: BTreeSet<String>,
}

impl Config {
    /// Reads `GROUP_SCOPES`, `CLIENT_SCOPES`, `ATTRIBUTE_CLAIMS` and `SUPPRESS_CLAIMS`;
    /// unset (or empty) means none, but a list that is set and holds no entry (`","`) is an
    /// error, and `GROUP_SCOPES` needs `CLIENT_SCOPES`.
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut config = Self::default();
        if let Some((value, listed)) = entries(&lookup, "GROUP_SCOPES", ';', GROUP_SCOPES_ACCEPTED)? {
            config.group_scopes = group_scopes(&value, &listed)?;
        }
        match entries(&lookup, "CLIENT_SCOPES", ';', CLIENT_SCOPES_ACCEPTED)? {
            Some((value, listed)) => config.client_scopes = client_scopes(&value, &listed)?,
            None if !config.group_scopes.is_empty() => {
                return Err(ConfigError::new(
                    "CLIENT_SCOPES",
                    "",
                    "it is unset while GROUP_SCOPES is set: a group scope goes only to the app clients \
                     CLIENT_SCOPES allows it, so name each client and its scopes (`cargo xtask deploy` \
                     and the SAM template fill it from the spec's clients and their oauth_scopes)",
                    CLIENT_SCOPES_ACCEPTED,
                ));
            }
            None => {}
        }
        if let Some((value, listed)) = entries(&lookup, "ATTRIBUTE_CLAIMS", ',', ATTRIBUTE_CLAIMS_ACCEPTED)? {
            config.attribute_claims = attribute_claims(&value, &listed)?;
        }
        if let Some((value, listed)) = entries(&lookup, "SUPPRESS_CLAIMS", ',', SUPPRESS_CLAIMS_ACCEPTED)? {
            let invalid =
                |problem: String| ConfigError::new("SUPPRESS_CLAIMS", &value, problem, SUPPRESS_CLAIMS_ACCEPTED);
            for claim in listed.iter().map(String::as_str) {
                claim_name(claim, Use::Suppress).map_err(invalid)?;
                // Cognito suppresses a claim that is both set and suppressed: the mapping
                // would do nothing.
                if config.attribute_claims.iter().any(|mapped| mapped.claim == claim) {
                    return Err(invalid(format!(
                        "{claim:?} is also set by ATTRIBUTE_CLAIMS, and a suppressed claim is never set"
                    )));
                }
                config.suppress_claims.insert(claim.to_owned());
            }
        }
        Ok(config)
    }
}

fn group_scopes(value: &str, listed: &[String]) -> Result<BTreeMap<String, BTreeSet<String>>, ConfigError> {
    let invalid = |problem: String| ConfigError::new("GROUP_SCOPES", value, problem, GROUP_SCOPES_ACCEPTED);
    let mut groups = BTreeMap::new();
    for entry in listed {
        let (group, scopes) = entry
            .split_once('=')
            .ok_or_else(|| invalid(format!("{entry:?} has no `=` between a group and its scopes")))?;
        let group = group.trim();
        group_name(group).map_err(invalid)?;
        let scopes: BTreeSet<String> = scopes.split_whitespace().map(str::to_owned).collect();
        if scopes.is_empty() {
            return Err(invalid(format!("group {group:?} has no scopes")));
        }
        for scope in &scopes {
            scope_token(scope).map_err(invalid)?;
        }
        if groups.insert(group.to_owned(), scopes).is_some() {
            return Err(invalid(format!("group {group:?} is listed twice")));
        }
    }
    Ok(groups)
}

fn client_scopes(value: &str, listed: &[String]) -> Result<BTreeMap<String, BTreeSet<String>>, ConfigError> {
    let invalid = |problem: String| ConfigError::new("CLIENT_SCOPES", value, problem, CLIENT_SCOPES_ACCEPTED);
    let mut clients = BTreeMap::new();
    for entry in listed {
        let (client, scopes) = entry
            .split_once('=')
            .ok_or_else(|| invalid(format!("{entry:?} has no `=` between a client id and its scopes")))?;
        let client = client.trim();
        client_id(client).map_err(invalid)?;
        let scopes: BTreeSet<String> = scopes.split_whitespace().map(str::to_owned).collect();
        for scope in &scopes {
            scope_token(scope).map_err(invalid)?;
        }
        if clients.insert(client.to_owned(), scopes).is_some() {
            return Err(invalid(format!("client {client:?} is listed twice")));
        }
    }
    Ok(clients)
}

fn attribute_claims(value: &str, listed: &[String]) -> Result<Vec<AttributeClaim>, ConfigError> {
    let invalid = |problem: String| ConfigError::new("ATTRIBUTE_CLAIMS", value, problem, ATTRIBUTE_CLAIMS_ACCEPTED);
    let mut mapped: Vec<AttributeClaim> = Vec::new();
    for entry in listed {
        let (attribute, claim) = entry
            .split_once('=')
            .ok_or_else(|| invalid(format!("{entry:?} has no `=` between an attribute and its claim")))?;
        let (attribute, claim) = (attribute.trim(), claim.trim());
        attribute_name(attribute).map_err(invalid)?;
        claim_name(claim, Use::Add).map_err(invalid)?;
        if claim != attribute && names_an_attribute(claim) {
            return Err(invalid(format!(
                "{attribute}={claim}: {claim:?} is the claim of the user attribute of that name, which \
                 Cognito sets from it; another attribute would overwrite it (a claim may carry only \
                 its own attribute's value under such a name)"
            )));
        }
        if mapped.iter().any(|earlier| earlier.claim == claim) {
            return Err(invalid(format!("claim {claim:?} is set from two attributes")));
        }
        mapped.push(AttributeClaim {
            attribute: attribute.to_owned(),
            claim: claim.to_owned(),
        });
    }
    Ok(mapped)
}

/// Cognito's GroupName: 1 to 128 characters of letters, marks, symbols, numbers and
/// punctuation (no spaces or control characters); `=` and `;` are this variable's own.
fn group_name(group: &str) -> Result<(), String> {
    let length = group.chars().count();
    if !(1..=128).contains(&length)
        || group
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '=' || c == ';')
    {
        return Err(format!("{group:?} is not a group name this variable can hold"));
    }
    Ok(())
}

/// AWS's ClientId model: `[\w+]+`, 1 to 128 characters (`\w` being ASCII letters, digits
/// and `_`).
fn client_id(client: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'+';
    if !(1..=128).contains(&client.len()) || !client.bytes().all(allowed) {
        return Err(format!("{client:?} is not an app client id"));
    }
    Ok(())
}

/// Cognito's ScopeType and RFC 6749's scope-token: `%x21 / %x23-5B / %x5D-7E`, 1 to 256
/// characters (the developer guide: "You can't add scope values that contain one or more
/// blank-space characters"); `;` is this variable's own.
fn scope_token(scope: &str) -> Result<(), String> {
    let allowed = |b: u8| matches!(b, 0x21 | 0x23..=0x5B | 0x5D..=0x7E) && b != b';';
    if scope.len() > 256 || !scope.bytes().all(allowed) {
        return Err(format!("{scope:?} is not a scope"));
    }
    Ok(())
}

/// Cognito's attribute names are 1 to 32 characters; these are held to printable ASCII (every
/// standard attribute, and custom ones as people name them), so that an invisible character
/// cannot make a name that never matches. `=` and `,` are this variable's own.
fn attribute_name(attribute: &str) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_graphic() && b != b'=' && b != b',';
    if !(1..=32).contains(&attribute.len()) || !attribute.bytes().all(allowed) {
        return Err(format!("{attribute:?} is not an attribute name"));
    }
    Ok(())
}

/// A claim name this function writes: 1 to 128 ASCII letters, digits, `_ - . : /` (JWT claim
/// names are free text; these cover OIDC names, `custom:` names and URI-style names), and
/// one Cognito lets a trigger use for `usage`.
fn claim_name(claim: &str, usage: Use) -> Result<(), String> {
    let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/');
    if !(1..=128).contains(&claim.len()) || !claim.bytes().all(allowed) {
        return Err(format!("{claim:?} is not a claim name"));
    }
    match refusal(claim, usage) {
        Some(why) => Err(format!("{claim:?}: {why}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::{FIXED_CLAIMS, IDENTITY_CLAIMS};
    use trigger_common::lookup_in;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_env(lookup_in(vars))
    }

    #[test]
    fn no_attribute_may_stand_in_for_another_attributes_claim() {
        for entry in [
            "custom:nickname=custom:tenant_id",
            "custom:nickname=name",
            "custom:x=preferred_username",
            "name=sub",
        ] {
            let error = config(&[("ATTRIBUTE_CLAIMS", entry)]).unwrap_err();
            assert_eq!(error.var, "ATTRIBUTE_CLAIMS", "{entry}");
        }
        let same = config(&[(
            "ATTRIBUTE_CLAIMS",
            "custom:tenant_id=custom:tenant_id,custom:tenant_id=tenant_id",
        )]);
        assert!(same.is_ok(), "its own name, or a name no attribute has: {same:?}");
    }

    #[test]
    fn the_issue_examples_are_read_as_written() {
        let config = config(&[
            (
                "GROUP_SCOPES",
                "admins=toyseven-api/admin toyseven-api/read;members=toyseven-api/read",
            ),
            (
                "CLIENT_SCOPES",
                "1example23456789=toyseven-api/admin toyseven-api/read;web+app_2=",
            ),
            ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id"),
            ("SUPPRESS_CLAIMS", "phone_number, cognito:groups"),
        ])
        .unwrap();
        assert_eq!(
            config.client_scopes["1example23456789"],
            BTreeSet::from(["toyseven-api/admin".into(), "toyseven-api/read".into()])
        );
        assert_eq!(
            config.client_scopes["web+app_2"],
            BTreeSet::new(),
            "listed with no scope"
        );
        assert_eq!(
            config.group_scopes["admins"],
            BTreeSet::from(["toyseven-api/admin".into(), "toyseven-api/read".into()])
        );
        assert_eq!(
            config.group_scopes["members"],
            BTreeSet::from(["toyseven-api/read".into()])
        );
        assert_eq!(
            config.attribute_claims,
            [AttributeClaim {
                attribute: "custom:tenant_id".into(),
                claim: "tenant_id".into()
            }]
        );
        assert_eq!(
            config.suppress_claims,
            BTreeSet::from(["phone_number".into(), "cognito:groups".into()])
        );
    }

    #[test]
    fn unset_empty_and_trailing_separators_mean_nothing_more() {
        assert_eq!(config(&[]).unwrap(), Config::default());
        let config = config(&[
            ("GROUP_SCOPES", " members = a/read ; "),
            ("CLIENT_SCOPES", " web = a/read ;"),
            ("ATTRIBUTE_CLAIMS", ""),
            ("SUPPRESS_CLAIMS", "email,"),
        ])
        .unwrap();
        assert_eq!(config.group_scopes.len(), 1);
        assert!(config.attribute_claims.is_empty());
        assert_eq!(config.suppress_claims.len(), 1);
    }

    #[test]
    fn every_claim_cognito_fixes_is_refused_for_both_uses() {
        for claim in FIXED_CLAIMS.iter().copied().chain(["scope", "cognito:user_status"]) {
            let err = config(&[("ATTRIBUTE_CLAIMS", &format!("email={claim}"))]).unwrap_err();
            assert_eq!(err.var, "ATTRIBUTE_CLAIMS", "{claim}");
            let err = config(&[("SUPPRESS_CLAIMS", claim)]).unwrap_err();
            assert_eq!(err.var, "SUPPRESS_CLAIMS", "{claim}");
            assert!(err.to_string().contains(claim), "{err}");
        }
    }

    #[test]
    fn group_claims_come_from_groups_and_only_cognito_groups_is_suppressed() {
        for claim in ["cognito:groups", "cognito:roles", "cognito:preferred_role"] {
            let err = config(&[("ATTRIBUTE_CLAIMS", &format!("custom:g={claim}"))]).unwrap_err();
            assert!(err.problem.contains("groups"), "{err}");
        }
        assert!(config(&[("SUPPRESS_CLAIMS", "cognito:groups")]).is_ok());
        let err = config(&[("SUPPRESS_CLAIMS", "cognito:roles")]).unwrap_err();
        assert!(err.problem.contains("suppress cognito:groups"), "{err}");
    }

    #[test]
    fn dev_claims_are_suppressed_but_never_set() {
        assert!(config(&[("SUPPRESS_CLAIMS", "dev:custom:note")]).is_ok());
        assert!(config(&[("ATTRIBUTE_CLAIMS", "custom:note=dev:note")]).is_err());
    }

    #[test]
    fn bad_values_name_the_variable_and_what_it_accepts() {
        let cases = [
            ("GROUP_SCOPES", "admins"),
            ("GROUP_SCOPES", "admins="),
            ("GROUP_SCOPES", "=a/read"),
            ("GROUP_SCOPES", "admins=a/read;admins=a/write"),
            ("GROUP_SCOPES", "admins=a/\"read\""),
            ("GROUP_SCOPES", "admins=a\\read"),
            ("GROUP_SCOPES", "admins=a/r\u{e9}ad"),
            ("GROUP_SCOPES", "my admins=a/read"),
            ("ATTRIBUTE_CLAIMS", "custom:tenant_id"),
            ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant id"),
            ("ATTRIBUTE_CLAIMS", "custom:tenant\u{200b}id=tenant_id"),
            ("ATTRIBUTE_CLAIMS", "custom:a=tenant,custom:b=tenant"),
            ("ATTRIBUTE_CLAIMS", "=tenant"),
            ("ATTRIBUTE_CLAIMS", "custom:a_name_longer_than_32_bytes=tenant"),
            ("SUPPRESS_CLAIMS", "phone number"),
        ];
        for (var, value) in cases {
            let err = config(&[(var, value)]).unwrap_err();
            assert_eq!(err.var, var, "{value}");
            assert!(err.to_string().contains("accepted:"), "{err}");
        }
        let err = config(&[("GROUP_SCOPES", &format!("admins={}", "s".repeat(257)))]).unwrap_err();
        assert_eq!(err.var, "GROUP_SCOPES");
        let longest = format!("admins={}", "s".repeat(256));
        assert!(config(&[("GROUP_SCOPES", &longest), ("CLIENT_SCOPES", "web=a/read")]).is_ok());
    }

    #[test]
    fn group_scopes_without_client_scopes_stop_the_start_naming_client_scopes() {
        for client_scopes in [None, Some("")] {
            let mut vars = vec![("GROUP_SCOPES", "admins=toyseven-api/admin")];
            vars.extend(client_scopes.map(|value| ("CLIENT_SCOPES", value)));
            let err = config(&vars).unwrap_err();
            assert_eq!(err.var, "CLIENT_SCOPES", "{client_scopes:?}");
            assert!(err.problem.contains("GROUP_SCOPES"), "{err}");
        }
        // Spaces only: unset, or a list without entries, as trigger_common reads it; refused
        // by name either way.
        let err = config(&[("GROUP_SCOPES", "admins=a/read"), ("CLIENT_SCOPES", "  ")]).unwrap_err();
        assert_eq!(err.var, "CLIENT_SCOPES");
        let alone = config(&[("CLIENT_SCOPES", "web=toyseven-api/read")]).unwrap();
        assert!(
            alone.group_scopes.is_empty(),
            "CLIENT_SCOPES alone grants nothing and is harmless"
        );
    }

    #[test]
    fn a_list_that_is_set_but_holds_no_entry_is_refused_by_name() {
        let with_client_scopes = |var: &'static str, value: &'static str| {
            let mut vars = vec![(var, value)];
            if var == "GROUP_SCOPES" {
                vars.push(("CLIENT_SCOPES", "web=a/read"));
            }
            vars
        };
        for (var, values) in [
            ("GROUP_SCOPES", [";", " ; ", ";;", " ;\t; "]),
            ("CLIENT_SCOPES", [";", " ; ", ";;", " ;\t; "]),
            ("ATTRIBUTE_CLAIMS", [",", " , ", ",,", " ,\t, "]),
            ("SUPPRESS_CLAIMS", [",", " , ", ",,", " ,\t, "]),
        ] {
            for value in values {
                let err = config(&with_client_scopes(var, value)).unwrap_err();
                assert_eq!(err.var, var, "{value:?}");
                assert!(err.problem.contains("holds no entry"), "{err}");
            }
        }
    }

    #[test]
    fn identity_claims_are_never_attribute_claims_targets_but_may_be_suppressed() {
        for claim in IDENTITY_CLAIMS {
            let err = config(&[("ATTRIBUTE_CLAIMS", &format!("custom:contact={claim}"))]).unwrap_err();
            assert_eq!(err.var, "ATTRIBUTE_CLAIMS", "{claim}");
            assert!(err.problem.contains("identity claim"), "{err}");
            assert!(config(&[("SUPPRESS_CLAIMS", claim)]).is_ok(), "{claim}");
        }
        assert!(
            config(&[("ATTRIBUTE_CLAIMS", "email=contact_email")]).is_ok(),
            "copying from email is fine"
        );
    }

    #[test]
    fn client_ids_follow_the_aws_client_id_model() {
        let longest = "a".repeat(128);
        for good in ["1example23456789", "web+app_2", longest.as_str()] {
            assert!(
                config(&[("CLIENT_SCOPES", &format!("{good}=a/read"))]).is_ok(),
                "{good}"
            );
        }
        let too_long = "a".repeat(129);
        for bad in [
            "web app",
            "web-app",
            "web.app",
            "w\u{e9}b",
            "web\u{200b}",
            too_long.as_str(),
        ] {
            let err = config(&[("CLIENT_SCOPES", &format!("{bad}=a/read"))]).unwrap_err();
            assert_eq!(err.var, "CLIENT_SCOPES", "{bad:?}");
            assert!(err.to_string().contains("accepted:"), "{err}");
        }
        for bad in ["=a/read", "web", "web=a/read;web=b/read", "web=a\\read", "web=a/r\"ead"] {
            assert_eq!(
                config(&[("CLIENT_SCOPES", bad)]).unwrap_err().var,
                "CLIENT_SCOPES",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_claim_both_set_and_suppressed_is_refused() {
        let err = config(&[
            ("ATTRIBUTE_CLAIMS", "custom:tenant_id=tenant_id"),
            ("SUPPRESS_CLAIMS", "email,tenant_id"),
        ])
        .unwrap_err();
        assert_eq!(err.var, "SUPPRESS_CLAIMS");
        assert!(err.problem.contains("tenant_id"), "{err}");
    }
}
