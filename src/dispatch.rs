//! Dispatches the live workflow and follows it to completion (runbook section 4).

use crate::exit::Exit;

/// Flags of the `dispatch` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, clap::Args)]
pub struct RunArgs {}

/// Runs the command and returns its exit code.
pub fn run(_args: RunArgs) -> Exit {
    eprintln!("itm-gate: this command is not implemented yet");
    Exit::Usage
}
