//! `provisioner login`: signs in through the hosted UI (or exchanges a refresh token read
//! from stdin) and prints the verified claims.

use provisioner::login::{Grant, LoginError, login};

use super::{Uses, session};
use crate::output;
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    /// The app client to sign in with (default: the spec's first with the code grant).
    #[arg(long)]
    pub client: Option<String>,
    /// Print the authorize URL without starting a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Exchange a refresh token read from stdin instead of signing in.
    #[arg(long)]
    pub refresh: bool,
}

pub async fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let uses = Uses {
        env_output: false,
        provider_secrets: false,
    };
    let (spec, clients) = session(global, uses).await?;
    let endpoint = global.connection.endpoint();
    let mut stdin = std::io::stdin().lock();
    let mut show = |line: &str| eprintln!("{line}");
    let grant = if args.refresh {
        Grant::Refresh(&mut stdin)
    } else {
        Grant::SignIn {
            no_browser: args.no_browser,
            show: &mut show,
        }
    };
    let logged_in = login(&clients, &spec, endpoint.as_deref(), args.client.as_deref(), grant)
        .await
        .map_err(|error| match error {
            LoginError::Setup(_) => Failure::usage(error),
            LoginError::Lookup(_) | LoginError::Callback(_) | LoginError::OAuth { .. } | LoginError::Other(_) => {
                Failure(1, error.into())
            }
        })?;
    output::print(global.output, &logged_in)?;
    Ok(0)
}
