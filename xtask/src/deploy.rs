//! `cargo xtask deploy`: the functions with `cargo lambda deploy`, then the provisioner
//! (the work is in `e2e::deploy`, which the deploy test runs against moto).

use anyhow::Result;
use e2e::Tools;
use e2e::deploy::{FUNCTIONS, Target};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The same connection flags as the provisioner's.
    #[command(flatten)]
    pub connection: provisioner::aws::Connection,
    /// An existing execution role for a function, as FUNCTION=ROLE_ARN (repeatable). Roles
    /// given here are used as they are; the others are created as <function>-role.
    #[arg(long = "role", value_parser = parse_role)]
    pub roles: Vec<(String, String)>,
    /// Deploy the zips already built instead of building them.
    #[arg(long)]
    pub no_build: bool,
}

fn parse_role(value: &str) -> Result<(String, String), String> {
    let (function, arn) = value.split_once('=').ok_or("expected FUNCTION=ROLE_ARN")?;
    if !FUNCTIONS.iter().any(|(name, _)| *name == function) {
        return Err(format!(
            "unknown function {function:?}; the functions are pre-signup, post-confirmation, custom-message"
        ));
    }
    if !arn.starts_with("arn:") || !arn.contains(":role/") {
        return Err(format!(
            "{arn:?} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
        ));
    }
    Ok((function.to_owned(), arn.to_owned()))
}

pub fn run(args: Args) -> Result<()> {
    let tools = Tools::default();
    if args.no_build {
        crate::setup::run(&tools)?;
    } else {
        crate::package::run(&tools)?;
    }
    let target = Target {
        connection: args.connection,
        roles: args.roles,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let deployed = runtime.block_on(e2e::deploy::deploy(&tools, &target))?;
    for done in &deployed.done {
        println!("done: {done}");
    }
    println!("deployed: user pool {} with its triggers", deployed.user_pool_id);
    Ok(())
}
