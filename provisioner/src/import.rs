//! `import`: a live pool, as AWS describes it ([`Described`], read by `aws::read_pool`), turned
//! into the desired state that declares it and the cognito.toml text for it. Pure: no AWS
//! call here. The text parses back to the same desired state, so a `plan` with it shows no
//! change; what the spec cannot express is listed in comments (`unexpressed`, the one list of
//! those settings), and what `plan` would refuse is a warning.
//!
//! The desired state is what the spec would say: each resource's `from_aws`, with the values
//! the spec spells differently put its way (a trigger function in the pool's account and
//! region by its name, an unset default redirect URI as no key, a provider's secret as the
//! environment variable to read it from).

pub mod unexpressed;

use aws_sdk_cognitoidentityprovider::operation::get_user_pool_mfa_config::GetUserPoolMfaConfigOutput;
use aws_sdk_cognitoidentityprovider::types::{
    DomainDescriptionType, IdentityProviderType, LogDeliveryConfigurationType, RiskConfigurationType,
    UserPoolClientType, UserPoolType,
};

use crate::aws::{self, AwsError, Clients};
use crate::desired::domain::CustomDomain;
use crate::desired::{
    Attribute, AuthFactor, Client, Desired, Domain, Group, IdentityProvider, MANAGED_TAG, Pool, ResourceServer, Risk,
    SecretSource, ThreatProtection, Trigger, Triggers,
};
use crate::spec::{self, Comments, Section};

/// Which pool to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PoolRef {
    Id(String),
    /// Must name exactly one pool.
    Name(String),
}

/// Everything AWS reports about a pool, as read for an import. Secrets are taken out as
/// they are read: an app client's secret is replaced by an empty string (what matters is
/// that it has one), an identity provider's is removed from its details.
#[derive(Debug, Clone)]
pub struct Described {
    pub pool: UserPoolType,
    pub mfa: GetUserPoolMfaConfigOutput,
    pub clients: Vec<UserPoolClientType>,
    pub resource_servers: Vec<ResourceServer>,
    pub identity_providers: Vec<IdentityProviderType>,
    pub groups: Vec<Group>,
    /// DescribeUserPoolDomain of the pool's prefix domain, when it has one.
    pub domain: Option<DomainDescriptionType>,
    /// DescribeUserPoolDomain of the pool's custom domain, when it has one.
    pub custom_domain: Option<DomainDescriptionType>,
    /// GetLogDeliveryConfiguration.
    pub log_delivery: Option<LogDeliveryConfigurationType>,
    /// DescribeRiskConfiguration, read when threat protection is on.
    pub risk: Option<RiskConfigurationType>,
}

/// A pool as cognito.toml declares it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub pool_id: String,
    pub pool_arn: String,
    pub desired: Desired,
    /// What the spec cannot express, placed near its table.
    pub comments: Comments,
    /// What `plan` would refuse, or do that the pool does not show, for stderr.
    pub warnings: Vec<String>,
}

impl Imported {
    /// The cognito.toml text.
    pub fn text(&self) -> String {
        spec::write_commented(&self.desired, &self.comments)
    }
}

/// What `provisioner import` did: the pool as a spec, and whether tagging it was needed.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub imported: Imported,
    /// `false`: the pool already carried the tag; nothing was written.
    pub adopted: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    /// Keeping the spec failed; the pool was not adopted.
    #[error("{what}")]
    Save {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// `provisioner import`: reads the pool, hands its spec to `save`, and only then adopts the
/// pool (tags it as this project's, the one write), so the spec is kept before anything in
/// AWS changes.
pub async fn import_pool(
    clients: &Clients,
    which: &PoolRef,
    save: &mut dyn FnMut(&Imported) -> Result<(), ImportError>,
) -> Result<Adoption, ImportError> {
    let described = aws::read_pool(clients, which).await?;
    let imported = import(&described);
    save(&imported)?;
    let adopted = aws::adopt(clients, &described, &imported).await?;
    Ok(Adoption { imported, adopted })
}

pub fn import(described: &Described) -> Imported {
    let raw = &described.pool;
    let pool_id = raw.id().unwrap_or_default().to_owned();
    let pool_arn = raw.arn().unwrap_or_default().to_owned();
    let mut warnings = Vec::new();
    // Whether a warning already says why `plan` will refuse the file.
    let mut refusal_explained = false;

    let pool = pool(described);
    if pool.username_attributes.contains(&Attribute::PhoneNumber) && pool.sms.is_none() {
        refusal_explained = true;
        warnings.push(
            "the pool signs users in with phone_number but reports no SMS configuration, and cognito.toml \
             needs one for phone numbers: the file says phone_number as the pool does, and `plan` will refuse it \
             until you add [pool.sms] sns_caller_arn (the IAM role Cognito assumes to publish through Amazon \
             SNS); changing it to email is refused too (sign-in attributes are fixed when a pool is created)"
                .to_owned(),
        );
    }

    if pool.account_recovery.is_empty() {
        refusal_explained = true;
        warnings.push(
            "the pool has no account recovery setting (AWS then uses its legacy order: a verified phone \
             number by SMS, else a verified email), and cognito.toml needs one or two mechanisms: the file says \
             account_recovery = [] and `plan` will refuse it. Choose, for example, [\"verified_email\"]; `apply` \
             then sets it"
                .to_owned(),
        );
    }

    let clients: Vec<Client> = described.clients.iter().map(client).collect();
    if clients.is_empty() {
        warnings.push(
            "the pool has no app client, and cognito.toml always declares one: without [client], `plan` will \
             create the default client \"toyseven-web\". Declare the client you want in the file first"
                .to_owned(),
        );
    }
    let mut names: Vec<&str> = clients.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
        refusal_explained = true;
        warnings.push(format!(
            "two app clients are named {:?}; cognito.toml keys clients by name, so `plan` will refuse the file. \
             Rename one (UpdateUserPoolClient) and import again",
            pair[0]
        ));
    }

    let mut identity_providers = Vec::new();
    for raw in &described.identity_providers {
        match identity_provider(raw) {
            Some(provider) => identity_providers.push(provider),
            None => warnings.push(format!(
                "identity provider {:?} is of a type the provisioner does not know ({}); it is left out",
                raw.provider_name().unwrap_or_default(),
                raw.provider_type().map(|t| t.as_str()).unwrap_or("none")
            )),
        }
    }

    let desired = Desired {
        pool,
        clients,
        resource_servers: described.resource_servers.clone(),
        identity_providers,
        domain: raw.domain().filter(|d| !d.is_empty()).map(|prefix| Domain {
            prefix: prefix.to_owned(),
            // Written as the domain serves it, so that `apply` never switches it.
            managed_login_version: described.domain.as_ref().and_then(|d| d.managed_login_version),
            custom: raw.custom_domain().filter(|d| !d.is_empty()).and_then(|name| {
                Some(CustomDomain {
                    name: name.to_owned(),
                    certificate_arn: described
                        .custom_domain
                        .as_ref()?
                        .custom_domain_config()?
                        .certificate_arn()
                        .to_owned(),
                })
            }),
        }),
        triggers: triggers(raw, &pool_arn),
        groups: described.groups.clone(),
        // Not read from the pool: the functions' logs and alarms live in Lambda and CloudWatch.
        monitoring: Default::default(),
    };
    let mut comments = Comments::default();
    comments.add(
        Section::Top,
        format!(
            "cognito.toml for user pool {pool_id} ({:?}), written by `provisioner import`.",
            desired.pool.name
        ),
    );
    comments.add(
        Section::Top,
        "Every key is written out (the README says what each means). Settings that cognito.toml has no",
    );
    comments.add(
        Section::Top,
        "key for are listed in comments beside their table; `apply` leaves them as they are.",
    );
    unexpressed::comments(described, &desired, &mut comments);
    let mut imported = Imported {
        pool_id,
        pool_arn,
        desired,
        comments,
        warnings,
    };
    // What the warnings above do not explain (their advice fits an import better than the
    // parser's, which assumes a new pool).
    if let Err(refused) = spec::parse("cognito.toml", &imported.text())
        && !refusal_explained
    {
        imported.warnings.push(format!(
            "`plan` will refuse the written spec until it is edited: {refused}"
        ));
    }
    imported
}

fn pool(described: &Described) -> Pool {
    let mut pool = Pool::from_aws(&described.pool, Some(&described.mfa));
    // Where its logs go; none is left as it is.
    let deliveries = crate::desired::pool::log_delivery::log_delivery_from_aws(described.log_delivery.as_ref());
    pool.log_delivery = Some(deliveries).filter(|d| !d.is_empty());
    // Threat protection's tuning, while it is on.
    if pool.threat_protection.is_some_and(ThreatProtection::needs_plus) {
        pool.risk = described.risk.as_ref().map(|risk| Risk::from_aws(Some(risk)));
    }
    // The spec manages the factors only while MFA is on.
    let on = pool.manages_factors();
    pool.software_token_mfa &= on;
    pool.sms_mfa &= on;
    pool.email_mfa &= on;
    // Passwords alone are what a pool offers when the spec says nothing.
    pool.first_factors = pool.first_factors.filter(|f| f.as_slice() != [AuthFactor::Password]);
    // Tags AWS keeps for itself (`aws:...`) cannot be in the spec; `apply` keeps them.
    pool.tags.retain(|key, _| !unexpressed::is_aws_tag(key));
    // What `import` tags the pool with, and what the parser adds.
    pool.tags.insert(MANAGED_TAG.to_owned(), pool.name.clone());
    pool
}

fn client(raw: &UserPoolClientType) -> Client {
    let mut client = Client::from_aws(raw);
    // AWS reports "no default" as an empty string, and "every attribute" as an empty list;
    // the spec says both by leaving the key out.
    client.default_redirect_uri = client.default_redirect_uri.filter(|uri| !uri.is_empty());
    client.read_attributes = client.read_attributes.filter(|a| !a.is_empty());
    client.write_attributes = client.write_attributes.filter(|a| !a.is_empty());
    client
}

fn identity_provider(raw: &IdentityProviderType) -> Option<IdentityProvider> {
    let mut provider = IdentityProvider::from_aws(raw)?;
    let keys = spec::detail_keys(provider.kind);
    provider
        .details
        .retain(|key, _| keys.iter().any(|(_, aws_key)| aws_key == key));
    // One spelling of the scopes: the separator AWS uses for the type.
    if let Some(scopes) = provider.details.get_mut("authorize_scopes") {
        *scopes = scopes
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(provider.kind.scope_separator());
    }
    provider.secret = provider
        .kind
        .secret_key()
        .map(|key| SecretSource::Env(secret_variable(&provider.name, key)));
    Some(provider)
}

/// `<PROVIDER>_CLIENT_SECRET` (or `_PRIVATE_KEY`): the provider's name in capitals, with
/// anything an environment variable cannot hold as `_`.
pub fn secret_variable(provider: &str, key: &str) -> String {
    let mut name: String = format!("{provider}_{key}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
}

fn triggers(raw: &UserPoolType, pool_arn: &str) -> Triggers {
    let mut triggers = Triggers::from_aws(raw.lambda_config());
    for wired in triggers.wired.values_mut() {
        wired.function = function_reference(&wired.function, pool_arn);
    }
    // The spec ties the key to the custom senders that use it; without one, `apply` leaves
    // it as it is and a comment says so.
    if !triggers.wired.keys().any(|t| Trigger::needs_kms_key(*t)) {
        triggers.kms_key_id = None;
    }
    triggers
}

/// A trigger function as the spec names it: by its name when it is in the pool's partition,
/// account and region and unqualified (as the provisioner resolves a name), else by its ARN.
pub fn function_reference(arn: &str, pool_arn: &str) -> String {
    let function: Vec<&str> = arn.split(':').collect();
    let pool: Vec<&str> = pool_arn.split(':').collect();
    let same_place = function.len() == 7
        && pool.len() >= 5
        && function[0] == "arn"
        && function[2] == "lambda"
        && function[5] == "function"
        && function[1] == pool[1]
        && function[3] == pool[3]
        && function[4] == pool[4];
    if same_place {
        function[6].to_owned()
    } else {
        arn.to_owned()
    }
}

#[cfg(test)]
mod tests;
