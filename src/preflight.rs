//! Checks that everything is in place before the live workflow is dispatched (runbook section 3).

use crate::exit::Exit;

/// Flags of the `preflight` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, clap::Args)]
pub struct PreflightArgs {}

/// Runs the command and returns its exit code.
pub fn run(_args: PreflightArgs) -> Exit {
    eprintln!("itm-gate: this command is not implemented yet");
    Exit::Usage
}
