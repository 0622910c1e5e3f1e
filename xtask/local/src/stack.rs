//! The local stack: cognito-local, `cargo lambda watch` and the local stand-in for Google
//! wired to each other on loopback ports, then provisioned from the spec with the provisioner. `cargo xtask local` and the
//! end-to-end tests start and stop it through this code.

use std::path::{Path, PathBuf};

use aws_sdk_cognitoidentityprovider as cognito;
use provisioner::aws::Clients;
use provisioner::outputs::{Outputs, outputs};
use provisioner::plan::Options;
use provisioner::spec::{self, Spec};
use provisioner::{Mode, converge};

use harness::{HarnessError, Port, Tools, workspace_root};

use crate::cognito_local::CognitoLocal;
use crate::google::{DEFAULT_SCOPES, LOCAL_CLIENT_ID, LocalGoogle};
use crate::watch::{Progress, Watch, build_functions};
use provisioner::desired::{IdentityProvider, ProviderKind};

/// The functions' environment in the local stack, on top of each crate's
/// `[package.metadata.lambda.watch.env]` (an allowed and a denied domain, the product name),
/// whose values cargo-lambda lets nothing override: auto-confirmation off, the default group,
/// a verification link on the app's own address (the launcher fills in every code
/// placeholder, as Cognito does, so the link carries the code), and one account per person
/// for the local Google (pre-signup links a Google sign-in to the native user holding the
/// same verified address).
///
/// On AWS, `cargo xtask deploy` refuses linking beside `VERIFY_URL` (a click on mail nobody
/// asked for would prove an address for a stranger); locally no mail leaves the outbox, and
/// the demo and the tests confirm with the code.
pub const DEMO_ENV: &[(&str, &str)] = &[
    ("AUTO_CONFIRM", "never"),
    ("DEFAULT_GROUP", "members"),
    ("VERIFY_URL", VERIFY_URL),
    ("LINK_EXTERNAL_USERS", "verified"),
    ("LINK_TRUSTED_PROVIDERS", LOCAL_PROVIDER_NAME),
];

/// `DEMO_ENV` with `env` over it. pre-signup refuses to start with `LINK_TRUSTED_PROVIDERS`
/// but linking off, so an `env` that turns `LINK_EXTERNAL_USERS` to anything but `verified`
/// also drops the default trusted providers (unless it names its own).
pub fn functions_env<'a>(env: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let linking_off = env
        .iter()
        .any(|(key, value)| *key == "LINK_EXTERNAL_USERS" && *value != "verified");
    let mut merged: Vec<(&str, &str)> = DEMO_ENV.to_vec();
    let dropped = |key: &str| env.iter().any(|(k, _)| *k == key) || (linking_off && key == "LINK_TRUSTED_PROVIDERS");
    merged.retain(|(key, _)| !dropped(key));
    merged.extend_from_slice(env);
    merged
}

/// Where the SignUp email's link points: the app's own page on localhost (the spec's
/// callback URL's host), which would confirm the sign-up with the code in its query.
pub const VERIFY_URL: &str = "http://localhost:3000/verify";

/// The region the local clients claim; cognito-local ignores it.
pub const REGION: &str = "us-east-1";

#[derive(Debug, thiserror::Error)]
pub enum StackError {
    #[error(transparent)]
    Harness(#[from] HarnessError),
    #[error("{0}")]
    Spec(#[from] spec::SpecError),
    #[error("provisioning cognito-local failed: {0}")]
    Provision(String),
}

/// A running local stack; every process it started stops when it is dropped.
pub struct Stack {
    pub spec: Spec,
    pub outputs: Outputs,
    /// An SDK client for cognito-local.
    pub cognito: cognito::Client,
    pub local: CognitoLocal,
    pub watch: Watch,
    /// The OpenID provider standing in for Google.
    pub google: LocalGoogle,
    /// What provisioning did and skipped, in order, for people to read.
    pub provisioning: Vec<String>,
    pub dir: PathBuf,
}

impl std::fmt::Debug for Stack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stack")
            .field("outputs", &self.outputs)
            .finish_non_exhaustive()
    }
}

/// An AWS configuration for a local server at `endpoint` (cognito-local, moto): the region
/// above and a fixed key pair, which they accept.
pub fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .region(aws_config::Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(cognito::config::SharedCredentialsProvider::new(
            cognito::config::Credentials::new("local", "local", None, None, "local-stack"),
        ))
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

impl Stack {
    /// Builds the functions, starts both servers in `dir` (logs and data), waits until both
    /// serve, and provisions the spec. `env` overrides `DEMO_ENV` for the functions
    /// (see [`functions_env`]). With
    /// `Progress::Shown`, each step (and the compile) is shown on stderr.
    pub async fn start(
        tools: &Tools,
        dir: &Path,
        env: &[(&str, &str)],
        progress: Progress,
    ) -> Result<Self, StackError> {
        let say = |line: &str| {
            if progress == Progress::Shown {
                eprintln!("{line}");
            }
        };
        let (mut spec, _warnings) = spec::load(&workspace_root().join("cognito.toml"))?;
        say("==> cargo build of the functions, as cargo lambda watch runs them");
        build_functions(progress)?;

        // Both ports are held from here until each server listens on its own.
        let watch_port = Port::reserve()?;
        let local_port = Port::reserve()?;
        let watch_endpoint = format!("http://127.0.0.1:{}", watch_port.number());
        let mut local = CognitoLocal::configure(dir, &local_port, &watch_endpoint, &spec.triggers)?;
        let cognito_endpoint = local.endpoint();
        let google_port = Port::reserve()?;
        // The spec's Google client id, when it declares Google, so that what is provisioned
        // is the spec's own; the local provider knows that client.
        let google_client_id = spec
            .identity_providers
            .iter()
            .find(|p| p.kind == ProviderKind::Google)
            .and_then(|p| p.details.get("client_id").cloned())
            .unwrap_or_else(|| LOCAL_CLIENT_ID.to_owned());
        let mut google = LocalGoogle::configure(
            dir,
            &google_port,
            &google_client_id,
            &[format!("{cognito_endpoint}/oauth2/idpresponse")],
        )?;

        let mut watch_env = functions_env(env);
        watch_env.extend([
            ("AWS_ENDPOINT_URL", cognito_endpoint.as_str()),
            ("AWS_REGION", REGION),
            ("AWS_ACCESS_KEY_ID", "local"),
            ("AWS_SECRET_ACCESS_KEY", "local"),
        ]);
        local.start(tools, &google.issuer())?;
        say(&format!(
            "==> started cognito-local on {cognito_endpoint} (pid {}): the Cognito API, hosted login and JWKS, invoking the triggers in cognito.toml",
            local.pid().unwrap_or_default()
        ));
        google.start(tools)?;
        say(&format!(
            "==> started the local Google on {} (pid {}): an OpenID provider whose sign-in page signs in whoever is typed in",
            google.issuer(),
            google.pid().unwrap_or_default()
        ));
        let mut watch = Watch::spawn(tools, dir, &watch_port, &watch_env)?;
        say(&format!(
            "==> started cargo lambda watch on {watch_endpoint} (pid {}): the functions behind the Lambda Invoke API",
            watch.pid()
        ));
        local.wait_ready(local_port)?;
        watch.wait_ready(watch_port)?;
        google.wait_ready(google_port)?;
        say("==> all three listen; provisioning cognito-local from cognito.toml with the provisioner");

        // cognito-local has no hosted-UI domains and no Lambda API: those steps are skipped.
        let mut provisioning = Vec::new();
        if let Some(domain) = spec.domain.take() {
            provisioning.push(format!(
                "skipped: hosted-UI domain {:?} (cognito-local serves the hosted UI on its own address)",
                domain.prefix
            ));
        }
        provisioning.push(
            "skipped: resolving the functions and granting invoke permissions (cognito-local invokes \
             triggers from its config.json)"
                .into(),
        );
        // The spec's Google providers point at the local Google, with its client's secret:
        // they are created here once the pool exists, not by the provisioner (which would
        // read the secret from where the spec says, for the real Google). With none
        // declared, the local stack declares one named Google for the first client, so that
        // Google sign-in can be tried before a real Google client exists.
        let (mut googles, others): (Vec<_>, Vec<_>) = std::mem::take(&mut spec.identity_providers)
            .into_iter()
            .partition(|p| p.kind == ProviderKind::Google);
        spec.identity_providers = others;
        if googles.is_empty() {
            googles.push(local_google_provider());
            if let Some(client) = spec.clients.first_mut() {
                client.identity_providers.push(LOCAL_PROVIDER_NAME.to_owned());
            }
            provisioning.push(format!(
                "added: identity provider {LOCAL_PROVIDER_NAME:?} (type google) for client {:?}, as cognito.toml declares none",
                spec.clients.first().map_or("", |c| c.name.as_str())
            ));
        }
        let config = sdk_config(&cognito_endpoint);
        let clients = Clients::new(&config).without_lambda();
        // The local stack is disposable: whatever the spec asks is done, destructive or not.
        let options = Options {
            allow_destructive: true,
            ..Options::default()
        };
        let converged = converge(&clients, &spec, Mode::Apply, options)
            .await
            .map_err(|e| StackError::Provision(e.to_string()))?;
        provisioning.extend(
            converged
                .applied
                .iter()
                .flat_map(|a| &a.done)
                .map(|c| format!("done: {c}")),
        );
        for provider in &googles {
            create_google(&clients.cognito, &converged_pool_id(&converged)?, provider, &google).await?;
            provisioning.push(format!(
                "done: identity provider {:?} pointing at the local Google {} (client secret made by this stack)",
                provider.name,
                google.issuer()
            ));
            spec.identity_providers.push(provider.clone());
        }
        for line in &provisioning {
            say(&format!("    {line}"));
        }
        let live = converged
            .live
            .ok_or_else(|| StackError::Provision("the pool is missing after apply".into()))?;
        let outputs = outputs(&spec, &live, REGION, Some(&cognito_endpoint));
        Ok(Self {
            spec,
            outputs,
            cognito: clients.cognito.clone(),
            local,
            watch,
            google,
            provisioning,
            dir: dir.to_path_buf(),
        })
    }

    /// The hosted UI's base address (cognito-local's own).
    pub fn hosted_ui(&self) -> String {
        self.local.endpoint()
    }

    /// The callback URL the code grant redirects to.
    pub fn redirect_uri(&self) -> &str {
        self.spec.clients[0].callback_urls.first().map_or("", String::as_str)
    }

    /// The app client's id (the spec's first client).
    pub fn client_id(&self) -> &str {
        self.outputs.client().map_or("", |c| c.client_id.as_str())
    }
}

/// The provider's name when the spec declares no Google.
pub const LOCAL_PROVIDER_NAME: &str = "Google";

/// The Google provider the local stack declares when the spec has none: Cognito's usual
/// mapping of Google's claims.
fn local_google_provider() -> IdentityProvider {
    IdentityProvider {
        name: LOCAL_PROVIDER_NAME.to_owned(),
        kind: ProviderKind::Google,
        details: [
            ("client_id".to_owned(), LOCAL_CLIENT_ID.to_owned()),
            ("authorize_scopes".to_owned(), DEFAULT_SCOPES.to_owned()),
        ]
        .into(),
        secret: None,
        attribute_mapping: [
            ("email", "email"),
            ("email_verified", "email_verified"),
            ("name", "name"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    }
}

fn converged_pool_id(converged: &provisioner::Converged) -> Result<String, StackError> {
    converged
        .live
        .as_ref()
        .map(|live| live.pool_id.clone())
        .ok_or_else(|| StackError::Provision("the pool is missing after apply".into()))
}

/// Creates `provider` in cognito-local with the local Google's client and secret.
async fn create_google(
    cognito: &cognito::Client,
    pool_id: &str,
    provider: &IdentityProvider,
    google: &LocalGoogle,
) -> Result<(), StackError> {
    let scopes = provider
        .details
        .get("authorize_scopes")
        .map_or(DEFAULT_SCOPES, String::as_str);
    cognito
        .create_identity_provider()
        .user_pool_id(pool_id)
        .provider_name(&provider.name)
        .provider_type(cognito::types::IdentityProviderTypeType::Google)
        .provider_details("client_id", &google.client_id)
        .provider_details("client_secret", google.client_secret())
        .provider_details("authorize_scopes", scopes)
        .set_attribute_mapping(Some(provider.attribute_mapping.clone().into_iter().collect()))
        .send()
        .await
        .map_err(|e| {
            StackError::Provision(format!(
                "creating identity provider {:?}: {}",
                provider.name,
                cognito::error::DisplayErrorContext(e)
            ))
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_local_stack_links_google_sign_ins_unless_told_otherwise() {
        let env = functions_env(&[]);
        assert!(env.contains(&("LINK_EXTERNAL_USERS", "verified")));
        assert!(env.contains(&("LINK_TRUSTED_PROVIDERS", "Google")));

        let off = functions_env(&[("LINK_EXTERNAL_USERS", "never")]);
        assert!(off.contains(&("LINK_EXTERNAL_USERS", "never")));
        assert!(
            !off.iter().any(|(k, _)| *k == "LINK_TRUSTED_PROVIDERS"),
            "pre-signup refuses trusted providers with linking off: {off:?}"
        );

        let other = functions_env(&[("LINK_TRUSTED_PROVIDERS", "SignInWithApple")]);
        assert!(other.contains(&("LINK_EXTERNAL_USERS", "verified")));
        assert_eq!(
            other
                .iter()
                .filter(|(k, _)| *k == "LINK_TRUSTED_PROVIDERS")
                .collect::<Vec<_>>(),
            [&("LINK_TRUSTED_PROVIDERS", "SignInWithApple")]
        );
    }
}
