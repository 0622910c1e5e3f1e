//! An app client as the provisioner manages it: one type, built from the spec
//! (`spec::clients`) and from what DescribeUserPoolClient reports ([`Client::from_aws`]), and
//! turned into the CreateUserPoolClient and UpdateUserPoolClient requests.

use std::fmt;

use aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::{
    CreateUserPoolClientInput, builders::CreateUserPoolClientInputBuilder,
};
use aws_sdk_cognitoidentityprovider::operation::update_user_pool_client::{
    UpdateUserPoolClientInput, builders::UpdateUserPoolClientInputBuilder,
};
use aws_sdk_cognitoidentityprovider::types::{
    ExplicitAuthFlowsType, OAuthFlowType, PreventUserExistenceErrorTypes, TimeUnitsType, TokenValidityUnitsType,
    UserPoolClientType,
};

use super::{Field, field, list};

/// The pool's own users (user name and password), in SupportedIdentityProviders beside the
/// federated providers' names; no provider may take the name.
pub const COGNITO: &str = "COGNITO";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub name: String,
    /// Fixed at creation.
    pub generate_secret: bool,
    pub oauth_flows: Vec<OAuthFlow>,
    pub oauth_scopes: Vec<String>,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
    pub identity_providers: Vec<String>,
    pub explicit_auth_flows: Vec<ExplicitAuthFlow>,
    pub prevent_user_existence_errors: bool,
    pub enable_token_revocation: bool,
    // `None` below: left as it is (a new client gets AWS's default).
    pub access_token_validity: Option<Validity>,
    pub id_token_validity: Option<Validity>,
    pub refresh_token_validity: Option<Validity>,
    /// Minutes.
    pub auth_session_validity: Option<u8>,
    pub read_attributes: Option<Vec<String>>,
    pub write_attributes: Option<Vec<String>>,
    pub default_redirect_uri: Option<String>,
    pub enable_propagate_additional_user_context_data: Option<bool>,
}

closed_set! {
    /// An OAuth grant the client allows (AllowedOAuthFlows).
    pub enum OAuthFlow {
        Code = ("code", "code"),
        Implicit = ("implicit", "implicit"),
        ClientCredentials = ("client_credentials", "client_credentials"),
    }
}

closed_set! {
    /// A sign-in flow the client allows through the API (ExplicitAuthFlows). The last three
    /// are AWS's legacy names: read from AWS so that a diff sees them, never accepted by the
    /// spec ([`ExplicitAuthFlow::is_legacy`]).
    pub enum ExplicitAuthFlow {
        UserSrp = ("ALLOW_USER_SRP_AUTH", "ALLOW_USER_SRP_AUTH"),
        RefreshToken = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"),
        UserPassword = ("ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"),
        AdminUserPassword = ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH"),
        Custom = ("ALLOW_CUSTOM_AUTH", "ALLOW_CUSTOM_AUTH"),
        /// Choice-based sign-in (passwordless factors, passkeys).
        UserAuth = ("ALLOW_USER_AUTH", "ALLOW_USER_AUTH"),
        LegacyAdminNoSrp = ("ADMIN_NO_SRP_AUTH", "ADMIN_NO_SRP_AUTH"),
        LegacyCustomOnly = ("CUSTOM_AUTH_FLOW_ONLY", "CUSTOM_AUTH_FLOW_ONLY"),
        LegacyUserPassword = ("USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"),
    }
}

impl ExplicitAuthFlow {
    /// AWS's names from before the `ALLOW_` ones, which it refuses beside them.
    pub const fn is_legacy(self) -> bool {
        match self {
            ExplicitAuthFlow::LegacyAdminNoSrp
            | ExplicitAuthFlow::LegacyCustomOnly
            | ExplicitAuthFlow::LegacyUserPassword => true,
            ExplicitAuthFlow::UserSrp
            | ExplicitAuthFlow::RefreshToken
            | ExplicitAuthFlow::UserPassword
            | ExplicitAuthFlow::AdminUserPassword
            | ExplicitAuthFlow::Custom
            | ExplicitAuthFlow::UserAuth => false,
        }
    }

    /// The flow the spec spells `text`; legacy names are not the spec's.
    pub fn from_spec_current(text: &str) -> Option<Self> {
        Self::from_spec(text).filter(|flow| !flow.is_legacy())
    }

    /// What the spec accepts, for its error message.
    pub fn accepted() -> impl Iterator<Item = &'static str> {
        Self::ALL
            .iter()
            .filter(|flow| !flow.is_legacy())
            .map(|flow| flow.as_spec())
    }
}

/// A token lifetime: an amount of a unit, compared by the time it spans.
#[derive(Debug, Clone, Copy)]
pub struct Validity {
    pub amount: u32,
    pub unit: TimeUnit,
}

closed_set! {
    /// A token lifetime's unit (TokenValidityUnits): the spec writes it as a suffix (`60m`).
    pub enum TimeUnit {
        Seconds = ("s", "seconds"),
        Minutes = ("m", "minutes"),
        Hours = ("h", "hours"),
        Days = ("d", "days"),
    }
}

impl TimeUnit {
    const fn seconds(self) -> u64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Minutes => 60,
            TimeUnit::Hours => 3600,
            TimeUnit::Days => 86_400,
        }
    }
}

impl Validity {
    pub const fn new(amount: u32, unit: TimeUnit) -> Self {
        Self { amount, unit }
    }

    pub const fn seconds(self) -> u64 {
        self.amount as u64 * self.unit.seconds()
    }

    /// `"60m"`, `"1h"`, `"30d"`, `"300s"`.
    pub fn parse(text: &str) -> Option<Self> {
        let split = text.find(|c: char| !c.is_ascii_digit())?;
        let (amount, unit) = text.split_at(split);
        let unit = TimeUnit::from_spec(unit)?;
        Some(Self::new(amount.parse().ok()?, unit))
    }

    /// As AWS reports it: an amount in `unit`, or in `default_unit` when no unit is given;
    /// `default` when there is no amount.
    fn from_aws(amount: Option<i32>, unit: Option<&TimeUnitsType>, default_unit: TimeUnit, default: Validity) -> Self {
        match amount.and_then(|a| u32::try_from(a).ok()).filter(|a| *a > 0) {
            Some(amount) => Self::new(
                amount,
                unit.and_then(|u| TimeUnit::from_aws(u.as_str()))
                    .unwrap_or(default_unit),
            ),
            None => default,
        }
    }
}

/// Compared by the time spanned: `60m` is `1h`.
impl PartialEq for Validity {
    fn eq(&self, other: &Self) -> bool {
        self.seconds() == other.seconds()
    }
}

impl Eq for Validity {}

/// The largest unit that divides it: `60m` shows as `1h`, so equal spans show alike.
impl fmt::Display for Validity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let seconds = self.seconds();
        let unit = [TimeUnit::Days, TimeUnit::Hours, TimeUnit::Minutes, TimeUnit::Seconds]
            .into_iter()
            .find(|u| seconds.is_multiple_of(u.seconds()))
            .unwrap_or(TimeUnit::Seconds);
        write!(f, "{}{}", seconds / unit.seconds(), unit.as_spec())
    }
}

/// AWS's lifetimes for a client that never set them.
pub const DEFAULT_ACCESS: Validity = Validity::new(60, TimeUnit::Minutes);
pub const DEFAULT_ID: Validity = Validity::new(60, TimeUnit::Minutes);
pub const DEFAULT_REFRESH: Validity = Validity::new(30, TimeUnit::Days);
pub const DEFAULT_AUTH_SESSION_MINUTES: u8 = 3;

/// The request values of the managed settings, shared by Create- and UpdateUserPoolClient.
struct ClientSettings {
    oauth_flows: Vec<OAuthFlowType>,
    oauth_scopes: Vec<String>,
    oauth_enabled: bool,
    callback_urls: Vec<String>,
    logout_urls: Vec<String>,
    identity_providers: Vec<String>,
    explicit_auth_flows: Vec<ExplicitAuthFlowsType>,
    prevent_user_existence_errors: PreventUserExistenceErrorTypes,
    enable_token_revocation: bool,
    access_token_validity: Option<i32>,
    id_token_validity: Option<i32>,
    refresh_token_validity: Option<i32>,
    token_validity_units: Option<TokenValidityUnitsType>,
    auth_session_validity: Option<i32>,
    read_attributes: Option<Vec<String>>,
    write_attributes: Option<Vec<String>>,
    default_redirect_uri: Option<String>,
    propagate_context: Option<bool>,
}

/// Sets [`ClientSettings`] on either client request builder (their setters share names).
macro_rules! with_client_settings {
    ($builder:expr, $settings:expr) => {{
        let s = $settings;
        $builder
            .set_allowed_o_auth_flows(Some(s.oauth_flows))
            .set_allowed_o_auth_scopes(Some(s.oauth_scopes))
            .allowed_o_auth_flows_user_pool_client(s.oauth_enabled)
            .set_callback_urls(Some(s.callback_urls))
            .set_logout_urls(Some(s.logout_urls))
            .set_supported_identity_providers(Some(s.identity_providers))
            .set_explicit_auth_flows(Some(s.explicit_auth_flows))
            .prevent_user_existence_errors(s.prevent_user_existence_errors)
            .enable_token_revocation(s.enable_token_revocation)
            .set_access_token_validity(s.access_token_validity)
            .set_id_token_validity(s.id_token_validity)
            .set_refresh_token_validity(s.refresh_token_validity)
            .set_token_validity_units(s.token_validity_units)
            .set_auth_session_validity(s.auth_session_validity)
            .set_read_attributes(s.read_attributes)
            .set_write_attributes(s.write_attributes)
            .set_default_redirect_uri(s.default_redirect_uri)
            .set_enable_propagate_additional_user_context_data(s.propagate_context)
    }};
}

impl Client {
    /// Whether people sign in to the client through the login pages (the code or implicit
    /// grant), so that a domain serving managed login needs a branding style for it.
    pub fn uses_hosted_ui(&self) -> bool {
        self.oauth_flows
            .iter()
            .any(|flow| matches!(flow, OAuthFlow::Code | OAuthFlow::Implicit))
    }

    /// AllowedOAuthFlowsUserPoolClient: true exactly when the client has OAuth flows.
    pub fn oauth_enabled(&self) -> bool {
        !self.oauth_flows.is_empty()
    }

    /// The client as DescribeUserPoolClient reports it. Its OAuth flows are in force only
    /// while AllowedOAuthFlowsUserPoolClient is true (false allows only SDK sign-in), so a
    /// client whose hosted-UI sign-in is off reads as having none.
    pub fn from_aws(client: &UserPoolClientType) -> Self {
        let units = client.token_validity_units();
        let oauth_on = client.allowed_o_auth_flows_user_pool_client() == Some(true);
        Self {
            name: client.client_name().unwrap_or_default().to_owned(),
            generate_secret: client.client_secret().is_some(),
            oauth_flows: if oauth_on {
                sorted(
                    client
                        .allowed_o_auth_flows()
                        .iter()
                        .filter_map(|f| OAuthFlow::from_aws(f.as_str())),
                )
            } else {
                Vec::new()
            },
            oauth_scopes: client.allowed_o_auth_scopes().to_vec(),
            callback_urls: client.callback_urls().to_vec(),
            logout_urls: client.logout_urls().to_vec(),
            identity_providers: client.supported_identity_providers().to_vec(),
            explicit_auth_flows: client
                .explicit_auth_flows()
                .iter()
                .filter_map(|f| ExplicitAuthFlow::from_aws(f.as_str()))
                .collect(),
            prevent_user_existence_errors: client.prevent_user_existence_errors()
                == Some(&PreventUserExistenceErrorTypes::Enabled),
            enable_token_revocation: client.enable_token_revocation().unwrap_or(false),
            access_token_validity: Some(Validity::from_aws(
                client.access_token_validity(),
                units.and_then(|u| u.access_token()),
                TimeUnit::Hours,
                DEFAULT_ACCESS,
            )),
            id_token_validity: Some(Validity::from_aws(
                client.id_token_validity(),
                units.and_then(|u| u.id_token()),
                TimeUnit::Hours,
                DEFAULT_ID,
            )),
            refresh_token_validity: Some(Validity::from_aws(
                Some(client.refresh_token_validity()),
                units.and_then(|u| u.refresh_token()),
                TimeUnit::Days,
                DEFAULT_REFRESH,
            )),
            auth_session_validity: Some(
                client
                    .auth_session_validity()
                    .and_then(|m| u8::try_from(m).ok())
                    .unwrap_or(DEFAULT_AUTH_SESSION_MINUTES),
            ),
            read_attributes: Some(client.read_attributes().to_vec()),
            write_attributes: Some(client.write_attributes().to_vec()),
            default_redirect_uri: Some(client.default_redirect_uri().unwrap_or_default().to_owned()),
            enable_propagate_additional_user_context_data: Some(
                client.enable_propagate_additional_user_context_data().unwrap_or(false),
            ),
        }
    }

    /// The settings UpdateUserPoolClient changes, for the plan (the secret is fixed and
    /// diffed apart; AllowedOAuthFlowsUserPoolClient follows `oauth_flows`). Lists compare as
    /// sets.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![
            field("oauth_flows", list(self.oauth_flows.iter().map(|f| f.as_aws()))),
            field("oauth_scopes", list(&self.oauth_scopes)),
            field("callback_urls", list(&self.callback_urls)),
            field("logout_urls", list(&self.logout_urls)),
            field("identity_providers", list(&self.identity_providers)),
            field(
                "explicit_auth_flows",
                list(self.explicit_auth_flows.iter().map(|f| f.as_aws())),
            ),
            field("prevent_user_existence_errors", self.prevent_user_existence_errors),
            field("enable_token_revocation", self.enable_token_revocation),
        ];
        let optional = [
            (
                "access_token_validity",
                self.access_token_validity.map(|v| v.to_string()),
            ),
            ("id_token_validity", self.id_token_validity.map(|v| v.to_string())),
            (
                "refresh_token_validity",
                self.refresh_token_validity.map(|v| v.to_string()),
            ),
            (
                "auth_session_validity",
                self.auth_session_validity.map(|m| format!("{m}m")),
            ),
            ("read_attributes", self.read_attributes.as_ref().map(list)),
            ("write_attributes", self.write_attributes.as_ref().map(list)),
            ("default_redirect_uri", self.default_redirect_uri.clone()),
            (
                "enable_propagate_additional_user_context_data",
                self.enable_propagate_additional_user_context_data
                    .map(|b| b.to_string()),
            ),
        ];
        fields.extend(
            optional
                .into_iter()
                .filter_map(|(name, value)| Some(field(name, value?))),
        );
        fields
    }

    /// CreateUserPoolClient in `pool_id` (filled in by apply when the pool is new).
    pub fn create_request(&self, pool_id: &str) -> CreateUserPoolClientInputBuilder {
        let builder = CreateUserPoolClientInput::builder()
            .user_pool_id(pool_id)
            .client_name(&self.name)
            .generate_secret(self.generate_secret);
        with_client_settings!(builder, self.settings(None))
    }

    /// UpdateUserPoolClient: `current` as DescribeUserPoolClient reported it, the spec's
    /// settings on top. It resets every field it is not sent, so the rest goes back as it is.
    pub fn update_request(&self, current: &UserPoolClientType) -> UpdateUserPoolClientInputBuilder {
        let c = current.clone();
        let builder = UpdateUserPoolClientInput::builder()
            .set_user_pool_id(c.user_pool_id)
            .set_client_id(c.client_id)
            .set_client_name(c.client_name)
            .set_analytics_configuration(c.analytics_configuration)
            .set_refresh_token_rotation(c.refresh_token_rotation);
        with_client_settings!(builder, self.settings(Some(current)))
    }

    /// The managed settings as request values; an unmanaged optional one is `base`'s.
    fn settings(&self, base: Option<&UserPoolClientType>) -> ClientSettings {
        let validity = |own: Option<Validity>, amount: Option<i32>, unit: Option<&TimeUnitsType>| match own {
            Some(v) => (Some(v.amount as i32), Some(TimeUnitsType::from(v.unit.as_aws()))),
            None => (amount, unit.cloned()),
        };
        let units = base.and_then(|b| b.token_validity_units());
        let (access, access_unit) = validity(
            self.access_token_validity,
            base.and_then(|b| b.access_token_validity()),
            units.and_then(|u| u.access_token()),
        );
        let (id, id_unit) = validity(
            self.id_token_validity,
            base.and_then(|b| b.id_token_validity()),
            units.and_then(|u| u.id_token()),
        );
        let (refresh, refresh_unit) = validity(
            self.refresh_token_validity,
            base.map(|b| b.refresh_token_validity()).filter(|r| *r > 0),
            units.and_then(|u| u.refresh_token()),
        );
        let units = (access_unit.is_some() || id_unit.is_some() || refresh_unit.is_some()).then(|| {
            TokenValidityUnitsType::builder()
                .set_access_token(access_unit)
                .set_id_token(id_unit)
                .set_refresh_token(refresh_unit)
                .build()
        });
        ClientSettings {
            oauth_flows: self
                .oauth_flows
                .iter()
                .map(|f| OAuthFlowType::from(f.as_aws()))
                .collect(),
            oauth_scopes: self.oauth_scopes.clone(),
            oauth_enabled: self.oauth_enabled(),
            callback_urls: self.callback_urls.clone(),
            logout_urls: self.logout_urls.clone(),
            identity_providers: self.identity_providers.clone(),
            explicit_auth_flows: self
                .explicit_auth_flows
                .iter()
                .map(|f| ExplicitAuthFlowsType::from(f.as_aws()))
                .collect(),
            prevent_user_existence_errors: if self.prevent_user_existence_errors {
                PreventUserExistenceErrorTypes::Enabled
            } else {
                PreventUserExistenceErrorTypes::Legacy
            },
            enable_token_revocation: self.enable_token_revocation,
            access_token_validity: access,
            id_token_validity: id,
            refresh_token_validity: refresh,
            token_validity_units: units,
            auth_session_validity: self
                .auth_session_validity
                .map(i32::from)
                .or_else(|| base.and_then(|b| b.auth_session_validity())),
            read_attributes: self
                .read_attributes
                .clone()
                .or_else(|| base.map(|b| b.read_attributes().to_vec()).filter(|a| !a.is_empty())),
            write_attributes: self
                .write_attributes
                .clone()
                .or_else(|| base.map(|b| b.write_attributes().to_vec()).filter(|a| !a.is_empty())),
            default_redirect_uri: match &self.default_redirect_uri {
                Some(uri) => Some(uri.clone()).filter(|u| !u.is_empty()),
                // AWS refuses a default that is not one of the callback URLs: one the spec's
                // URLs no longer include goes with them.
                None => base
                    .and_then(|b| b.default_redirect_uri())
                    .filter(|uri| self.callback_urls.iter().any(|c| c == uri))
                    .map(str::to_owned),
            },
            propagate_context: self
                .enable_propagate_additional_user_context_data
                .or_else(|| base.and_then(|b| b.enable_propagate_additional_user_context_data())),
        }
    }
}

fn sorted<T: Ord>(values: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut values: Vec<T> = values.into_iter().collect();
    values.sort();
    values.dedup();
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validities_compare_by_span_and_show_in_the_largest_unit() {
        assert_eq!(Validity::parse("60m"), Validity::parse("1h"));
        assert_eq!(Validity::parse("60m").unwrap().to_string(), "1h");
        assert_eq!(Validity::parse("90m").unwrap().to_string(), "90m");
        assert_eq!(Validity::parse("30d").unwrap().seconds(), 30 * 86_400);
        for bad in ["", "60", "m", "1w", "-1h", "1.5h", "h1"] {
            assert_eq!(Validity::parse(bad), None, "{bad}");
        }
    }
}
