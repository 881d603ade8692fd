//! Checks the exit criteria for the production cut (runbook section 8).

use crate::exit::Exit;

/// Flags of the `readiness` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, clap::Args)]
pub struct ReadinessArgs {}

/// Runs the command and returns its exit code.
pub fn run(_args: ReadinessArgs) -> Exit {
    eprintln!("itm-gate: this command is not implemented yet");
    Exit::Usage
}
