//! What Cognito lets a pre token generation trigger do with a claim, and which claims carry
//! an attribute of their own: the rules the configuration is checked against, from the
//! developer guide's "Claims and scopes reference".

/// Claims Cognito does not let a pre token generation trigger add, change or suppress: the
/// "Claims and scopes reference" table of the Cognito developer guide, "Pre token generation
/// Lambda trigger"
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-token-generation.html>),
/// rows marked No in all three columns. The table also fixes every other `cognito:` claim
/// (see [`refusal`]). `aud` may be added to an access token only with the app client's id as
/// its value, which an attribute is not.
pub const FIXED_CLAIMS: [&str; 22] = [
    "acr",
    "amr",
    "at_hash",
    "aud",
    "auth_time",
    "azp",
    "client_id",
    "cognito:username",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The identity claims Cognito sets from the verified attributes. A copied attribute is text
/// the user chose (`custom:contact=email` would put any address into `email` while
/// `email_verified` stays `true`), so none of them is an `ATTRIBUTE_CLAIMS` target. Suppressing
/// them is fine.
pub const IDENTITY_CLAIMS: [&str; 4] = ["email", "email_verified", "phone_number", "phone_number_verified"];

/// What a configured claim is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Added to (or overriding) both tokens: `ATTRIBUTE_CLAIMS`.
    Add,
    /// Suppressed in both tokens: `SUPPRESS_CLAIMS`.
    Suppress,
}

/// Why this function may not use `claim` for `usage`: by the same table as [`FIXED_CLAIMS`],
/// and [`IDENTITY_CLAIMS`] as targets.
pub fn refusal(claim: &str, usage: Use) -> Option<&'static str> {
    if FIXED_CLAIMS.contains(&claim) {
        return Some("Cognito does not let a trigger add, change or suppress this claim");
    }
    if usage == Use::Add && IDENTITY_CLAIMS.contains(&claim) {
        return Some(
            "an identity claim Cognito sets from the verified attribute; an attribute the user \
             can write would replace it while its _verified claim stays true",
        );
    }
    match (claim, usage) {
        // The scope claim changes only through scopesToAdd and scopesToSuppress.
        ("scope", _) => Some("the scope claim is not set through claims; GROUP_SCOPES adds scopes"),
        ("cognito:groups" | "cognito:roles" | "cognito:preferred_role", Use::Add) => {
            Some("Cognito sets this claim from the user's groups (groupOverrideDetails), not from a claim")
        }
        ("cognito:groups", Use::Suppress) => None,
        // The table's footnote: suppressing cognito:groups removes these two as well.
        ("cognito:roles" | "cognito:preferred_role", Use::Suppress) => {
            Some("Cognito suppresses this claim only with cognito:groups; suppress cognito:groups")
        }
        (claim, _) if claim.starts_with("cognito:") => {
            Some("Cognito does not let a trigger add, change or suppress a cognito: claim")
        }
        (claim, Use::Add) if claim.starts_with("dev:") => {
            Some("Cognito lets a trigger suppress a dev: claim but not add or change one")
        }
        _ => None,
    }
}

/// The standard attributes of a user pool (OpenID Connect's, as Cognito names them): each is
/// also the claim Cognito puts it in.
const STANDARD_ATTRIBUTES: [&str; 20] = [
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Whether `claim` is the claim Cognito fills from a user attribute of the same name: a
/// standard attribute, or a `custom:` or `dev:` one. `custom:nickname=custom:tenant_id` would
/// let a user-writable attribute stand in for an administrator's.
pub fn names_an_attribute(claim: &str) -> bool {
    STANDARD_ATTRIBUTES.contains(&claim) || claim.starts_with("custom:") || claim.starts_with("dev:")
}
