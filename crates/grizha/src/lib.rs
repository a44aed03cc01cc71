//! The `grizha` command: one binary, a subcommand per job.

mod cli;
mod commands;
mod config;

use std::process::ExitCode;

use clap::Parser;

pub use cli::Cli;
pub use config::Settings;

/// Parses the command line, runs the command, and turns any failure into one readable line on
/// stderr and a non-zero exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(&cli.global) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("grizha: {e:#}");
            return ExitCode::from(2);
        }
    };
    config::init_logging(&settings);
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("grizha: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli.command, settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("grizha: {e:#}");
            ExitCode::FAILURE
        }
    }
}
