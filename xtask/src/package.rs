//! `cargo xtask package`: arm64 release zips of the three functions, with each zip's size
//! against its budget (the work is in `e2e::deploy`).

use anyhow::{Result, bail};
use e2e::Tools;

pub fn run(tools: &Tools) -> Result<()> {
    crate::setup::run(tools)?;
    eprintln!("==> cargo lambda build --release --arm64 --output-format zip (the three functions)");
    let zips = e2e::deploy::package(tools)?;
    println!("{:<20} {:>12} {:>12}", "function", "zip bytes", "budget");
    for zip in &zips {
        println!(
            "{:<20} {:>12} {:>12}  {}",
            zip.function,
            zip.bytes,
            zip.budget,
            zip.path.display()
        );
    }
    let over: Vec<&str> = zips.iter().filter(|z| z.bytes > z.budget).map(|z| z.function).collect();
    if !over.is_empty() {
        bail!("over their size budget: {}", over.join(", "));
    }
    Ok(())
}
