//! `provisioner render`: the same setup as a SAM template or as IAM policy documents, with
//! no AWS call; the functions' deploy settings come from the crates beside the spec.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use provisioner::render;

use super::load_spec;
use crate::{Failure, Global};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Subcommand)]
pub enum What {
    /// An AWS SAM template: pool, clients, resource servers, domain, groups, functions, roles, permissions.
    Cloudformation {
        /// Write it here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Least-privilege IAM policy documents: the provisioner's and one per function.
    Policies {
        /// The folder to write them into.
        #[arg(long, default_value = "infra/policies")]
        out: PathBuf,
    },
}

pub fn run(global: &Global, args: &Args) -> Result<u8, Failure> {
    let spec = load_spec(global)?;
    let workspace = global
        .spec
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let functions = render::workspace_functions(workspace, &spec)?;
    match &args.what {
        What::Cloudformation { out } => {
            render::check_template(&spec).map_err(Failure::usage)?;
            let text = format!(
                "{}\n",
                serde_json::to_string_pretty(&render::cloudformation(&spec, &functions))?
            );
            match out {
                Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
        }
        What::Policies { out } => {
            std::fs::create_dir_all(out)?;
            for (name, document) in render::policies(&spec, &functions) {
                let path = out.join(name);
                std::fs::write(&path, format!("{}\n", serde_json::to_string_pretty(&document)?))?;
                eprintln!("wrote {}", path.display());
            }
        }
    }
    Ok(0)
}
