//! The inverse of [`super::parse`]: a desired state written as cognito.toml text, every key
//! spelled out (as in the checked-in cognito.toml), so that parsing the text gives the same
//! desired state back. `import` writes a live pool this way, with comments for what the spec
//! cannot express ([`Comments`]).
//!
//! What the parser fills in when a key is left out is never relied on: an empty table or list
//! is written as such (`[triggers]` with no key manages no trigger; `groups = []` declares no
//! group), so the text says the same thing whatever the defaults become.

use std::fmt::Write as _;

use crate::desired::{
    AttributeKind, Client, CustomAttribute, Desired, Email, Group, IdentityProvider, MANAGED_TAG, ResourceServer,
    SecretSource, Trigger, Wired,
};

/// Where a comment goes in the written file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    /// Before everything.
    Top,
    Pool,
    /// The app client of this name.
    Client(String),
    /// The identity provider of this name.
    IdentityProvider(String),
    Domain,
    Triggers,
}

/// Comment lines, each placed after the keys of its section's table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comments(Vec<(Section, String)>);

impl Comments {
    pub fn add(&mut self, section: Section, line: impl Into<String>) {
        self.0.push((section, line.into()));
    }

    pub fn lines(&self, section: &Section) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |(s, _)| s == section)
            .map(|(_, line)| line.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

/// The desired state as cognito.toml text.
pub fn write(desired: &Desired) -> String {
    write_commented(desired, &Comments::default())
}

/// The desired state as cognito.toml text, with `comments` near the tables they belong to.
pub fn write_commented(desired: &Desired, comments: &Comments) -> String {
    let mut out = Out::default();
    out.comments(comments, &Section::Top);
    if desired.groups.is_empty() {
        // A top-level key must come before the first table.
        out.line("# No group: without this line the spec declares the group \"members\".");
        out.key("groups", "[]");
    }
    pool(&mut out, desired, comments);
    clients(&mut out, &desired.clients, comments);
    for server in &desired.resource_servers {
        resource_server(&mut out, server);
    }
    for provider in &desired.identity_providers {
        identity_provider(&mut out, provider, comments);
    }
    match &desired.domain {
        Some(domain) => {
            out.table("[domain]");
            out.key("prefix", string(&domain.prefix));
            if let Some(version) = domain.managed_login_version {
                out.key("managed_login_version", version);
            }
            out.comments(comments, &Section::Domain);
            if let Some(custom) = &domain.custom {
                out.table("[domain.custom]");
                out.key("name", string(&custom.name));
                out.key("certificate_arn", string(&custom.certificate_arn));
            }
        }
        None => {
            let mut noted = comments.lines(&Section::Domain).peekable();
            if noted.peek().is_some() {
                out.blank();
            }
            for line in noted {
                out.comment(line);
            }
        }
    }
    triggers(&mut out, desired, comments);
    out.blank();
    out.text.push_str(&super::monitoring::write(&desired.monitoring));
    for group in &desired.groups {
        self::group(&mut out, group);
    }
    out.text
}

fn pool(out: &mut Out, desired: &Desired, comments: &Comments) {
    let pool = &desired.pool;
    out.table("[pool]");
    out.key("name", string(&pool.name));
    out.key(
        "username_attributes",
        array(pool.username_attributes.iter().map(|a| string(a.as_spec()))),
    );
    out.key("case_sensitive", pool.case_sensitive);
    out.key(
        "auto_verified_attributes",
        array(pool.auto_verified_attributes.iter().map(|a| string(a.as_spec()))),
    );
    out.key(
        "account_recovery",
        array(pool.account_recovery.iter().map(|r| string(r.as_spec()))),
    );
    out.key("mfa", string(pool.mfa.as_spec()));
    out.key("deletion_protection", pool.deletion_protection);
    out.key("allow_admin_create_user_only", pool.allow_admin_create_user_only);
    if let Some(tier) = pool.tier {
        out.key("tier", string(tier.as_spec()));
    }
    if let Some(mode) = pool.threat_protection {
        out.key("threat_protection", string(mode.as_spec()));
    }
    out.comments(comments, &Section::Pool);

    out.table("[pool.mfa_factors]");
    out.key("software_token", pool.software_token_mfa);
    if pool.sms_mfa {
        out.key("sms", true);
    }
    if pool.email_mfa {
        out.key("email", true);
    }

    let policy = &pool.password_policy;
    out.table("[pool.password_policy]");
    out.key("minimum_length", policy.minimum_length);
    out.key("require_lowercase", policy.require_lowercase);
    out.key("require_uppercase", policy.require_uppercase);
    out.key("require_numbers", policy.require_numbers);
    out.key("require_symbols", policy.require_symbols);

    match &pool.email {
        Email::Cognito => out.line("# No [pool.email]: Cognito's own sender (COGNITO_DEFAULT)."),
        Email::Ses(ses) => {
            out.table("[pool.email]");
            out.key("source_arn", string(&ses.source_arn));
            out.key("from", string(&ses.from));
            if let Some(reply_to) = &ses.reply_to {
                out.key("reply_to", string(reply_to));
            }
            if let Some(set) = &ses.configuration_set {
                out.key("configuration_set", string(set));
            }
        }
    }

    if let Some(sms) = &pool.sms {
        out.table("[pool.sms]");
        out.key("sns_caller_arn", string(&sms.sns_caller_arn));
        if let Some(id) = &sms.external_id {
            out.key("external_id", string(id));
        }
        if let Some(region) = &sms.sns_region {
            out.key("sns_region", string(region));
        }
    }
    if let Some(factors) = &pool.first_factors {
        out.table("[pool.sign_in_policy]");
        out.key(
            "allowed_first_auth_factors",
            array(factors.iter().map(|f| string(f.as_spec()))),
        );
    }
    if let Some(passkeys) = &pool.web_authn {
        out.table("[pool.web_authn]");
        out.key("relying_party_id", string(&passkeys.relying_party_id));
        out.key("user_verification", string(passkeys.user_verification.as_spec()));
        if let Some(factor) = passkeys.factor {
            out.key("factor_configuration", string(factor.as_spec()));
        }
    }
    if let Some(risk) = &pool.risk {
        out.table("[pool.risk_configuration]");
        out.key(
            "compromised_credentials",
            string(risk.compromised_credentials.as_spec()),
        );
        out.key(
            "compromised_credentials_events",
            array(risk.compromised_credentials_events.iter().map(|e| string(e.as_spec()))),
        );
        let [low, medium, high] = risk.account_takeover;
        out.key(
            "account_takeover",
            format!(
                "{{ low = {}, medium = {}, high = {} }}",
                string(low.as_spec()),
                string(medium.as_spec()),
                string(high.as_spec())
            ),
        );
        out.key("notify", risk.notify);
        out.key(
            "blocked_ip_ranges",
            array(risk.blocked_ip_ranges.iter().map(|r| string(r))),
        );
        out.key(
            "skipped_ip_ranges",
            array(risk.skipped_ip_ranges.iter().map(|r| string(r))),
        );
    }
    // No delivery and no table say the same: `apply` leaves the pool's as they are.
    for delivery in pool.log_delivery.as_deref().unwrap_or_default() {
        out.table("[[pool.log_delivery]]");
        out.key("event_source", string(delivery.event_source.as_spec()));
        out.key("destination", string(&delivery.destination));
    }

    // The management tag is the provisioner's own: the parser adds it.
    let tags: Vec<_> = pool.tags.iter().filter(|(key, _)| *key != MANAGED_TAG).collect();
    if !tags.is_empty() {
        out.table("[pool.tags]");
        for (key, value) in tags {
            out.key(&self::key(key), string(value));
        }
    }

    for attribute in &pool.custom_attributes {
        custom_attribute(out, attribute);
    }
}

fn custom_attribute(out: &mut Out, attribute: &CustomAttribute) {
    out.table("[[pool.attributes]]");
    out.key("name", string(&attribute.name));
    let (min, max) = match attribute.kind {
        AttributeKind::String => ("min_length", "max_length"),
        AttributeKind::Number | AttributeKind::Datetime | AttributeKind::Boolean => ("min_value", "max_value"),
    };
    out.key("type", string(attribute.kind.as_spec()));
    out.key("mutable", attribute.mutable);
    if let Some(value) = attribute.min {
        out.key(min, value);
    }
    if let Some(value) = attribute.max {
        out.key(max, value);
    }
}

/// `[client]` for one client, `[[clients]]` for several. The parser refuses an empty
/// `[[clients]]` and declares a default client without either, so a pool without clients
/// can only be said in a comment (`import` warns about it).
fn clients(out: &mut Out, clients: &[Client], comments: &Comments) {
    let header = if clients.len() == 1 { "[client]" } else { "[[clients]]" };
    for client in clients {
        out.table(header);
        out.key("name", string(&client.name));
        out.key("generate_secret", client.generate_secret);
        out.key(
            "oauth_flows",
            array(client.oauth_flows.iter().map(|f| string(f.as_spec()))),
        );
        out.key("oauth_scopes", strings(&client.oauth_scopes));
        out.key("callback_urls", strings(&client.callback_urls));
        out.key("logout_urls", strings(&client.logout_urls));
        if let Some(uri) = &client.default_redirect_uri {
            out.key("default_redirect_uri", string(uri));
        }
        out.key("identity_providers", strings(&client.identity_providers));
        out.key(
            "explicit_auth_flows",
            array(client.explicit_auth_flows.iter().map(|f| string(f.as_spec()))),
        );
        out.key("prevent_user_existence_errors", client.prevent_user_existence_errors);
        out.key("enable_token_revocation", client.enable_token_revocation);
        let validities = [
            ("access_token_validity", client.access_token_validity),
            ("id_token_validity", client.id_token_validity),
            ("refresh_token_validity", client.refresh_token_validity),
        ];
        for (name, validity) in validities {
            // Shown in the largest unit that divides it: 60 minutes is "1h".
            if let Some(validity) = validity {
                out.key(name, string(&validity.to_string()));
            }
        }
        if let Some(minutes) = client.auth_session_validity {
            out.key("auth_session_validity", minutes);
        }
        if let Some(attributes) = &client.read_attributes {
            out.key("read_attributes", strings(attributes));
        }
        if let Some(attributes) = &client.write_attributes {
            out.key("write_attributes", strings(attributes));
        }
        if let Some(propagate) = client.enable_propagate_additional_user_context_data {
            out.key("enable_propagate_additional_user_context_data", propagate);
        }
        out.comments(comments, &Section::Client(client.name.clone()));
    }
}

fn resource_server(out: &mut Out, server: &ResourceServer) {
    out.table("[[resource_servers]]");
    out.key("identifier", string(&server.identifier));
    out.key("name", string(&server.name));
    out.key(
        "scopes",
        array(server.scopes.iter().map(|scope| {
            format!(
                "{{ name = {}, description = {} }}",
                string(&scope.name),
                string(&scope.description)
            )
        })),
    );
}

fn identity_provider(out: &mut Out, provider: &IdentityProvider, comments: &Comments) {
    out.table("[[identity_providers]]");
    out.key("name", string(&provider.name));
    out.key("type", string(provider.kind.as_spec()));
    let details = super::detail_keys(provider.kind)
        .iter()
        .filter(|(key, _)| *key != "authorize_scopes");
    for (key, aws_key) in details {
        if let Some(value) = provider.details.get(*aws_key) {
            out.key(key, string(value));
        }
    }
    if let (Some(source), Some(what)) = (&provider.secret, provider.kind.secret_key()) {
        let (suffix, name) = match source {
            SecretSource::Env(variable) => {
                out.comment(&format!(
                    "Set {variable} to the provider's {} before `plan` or `apply`; it is never written here.",
                    what.replace('_', " ")
                ));
                ("env", variable)
            }
            SecretSource::Ssm(parameter) => ("ssm", parameter),
        };
        out.key(&format!("{what}_{suffix}"), string(name));
    }
    if let Some(scopes) = provider.details.get("authorize_scopes") {
        out.key(
            "authorize_scopes",
            array(
                scopes
                    .split(provider.kind.scope_separator())
                    .filter(|s| !s.is_empty())
                    .map(string),
            ),
        );
    }
    out.key(
        "attribute_mapping",
        inline_table(provider.attribute_mapping.iter().map(|(k, v)| (key(k), string(v)))),
    );
    out.comments(comments, &Section::IdentityProvider(provider.name.clone()));
}

fn triggers(out: &mut Out, desired: &Desired, comments: &Comments) {
    out.table("[triggers]");
    if desired.triggers.wired.is_empty() {
        out.line("# No trigger is managed (each is left as it is).");
    }
    for (trigger, wired) in &desired.triggers.wired {
        out.key(trigger.spec_key(), self::wired(*trigger, wired));
    }
    if let Some(key) = &desired.triggers.kms_key_id {
        out.key("kms_key_id", string(key));
    }
    out.comments(comments, &Section::Triggers);
}

/// A plain name or ARN, or the table form where a version is set.
fn wired(trigger: Trigger, wired: &Wired) -> String {
    match wired.version {
        Some(version) if !trigger.versions().is_empty() => format!(
            "{{ function = {}, version = {} }}",
            string(&wired.function),
            string(version.as_spec())
        ),
        Some(_) | None => string(&wired.function),
    }
}

fn group(out: &mut Out, group: &Group) {
    out.table("[[groups]]");
    out.key("name", string(&group.name));
    if let Some(description) = &group.description {
        out.key("description", string(description));
    }
    if let Some(precedence) = group.precedence {
        out.key("precedence", precedence);
    }
    if let Some(role) = &group.role_arn {
        out.key("role_arn", string(role));
    }
}

/// A TOML string, escaped as TOML needs.
fn string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// A key, bare where TOML allows, else quoted.
fn key(name: &str) -> String {
    let bare = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare { name.to_owned() } else { string(name) }
}

fn array(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(", "))
}

fn strings(values: &[String]) -> String {
    array(values.iter().map(|v| string(v)))
}

fn inline_table(entries: impl IntoIterator<Item = (String, String)>) -> String {
    let entries: Vec<String> = entries.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
    if entries.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", entries.join(", "))
    }
}

/// The text being written.
#[derive(Default)]
struct Out {
    text: String,
}

impl Out {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn blank(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    fn table(&mut self, header: &str) {
        self.blank();
        self.line(header);
    }

    fn key(&mut self, key: &str, value: impl std::fmt::Display) {
        let _ = writeln!(self.text, "{key} = {value}");
    }

    /// A comment line; a line break in it would end the comment, so it is shown escaped.
    fn comment(&mut self, line: &str) {
        let line = line.replace('\r', "\\r").replace('\n', "\\n");
        if line.is_empty() {
            self.line("#");
        } else {
            self.line(&format!("# {line}"));
        }
    }

    fn comments(&mut self, comments: &Comments, section: &Section) {
        for line in comments.lines(section) {
            self.comment(line);
        }
    }
}

#[cfg(test)]
mod tests;
