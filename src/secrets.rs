//! Sets the gate's repository secrets from an env file (runbook section 2).

use crate::exit::Exit;

/// Flags of the `secrets` command (each also readable from its `INPUT_*` variable in Actions).
#[derive(Debug, clap::Args)]
pub struct SecretsArgs {}

/// Runs the command and returns its exit code.
pub fn run(_args: SecretsArgs) -> Exit {
    eprintln!("itm-gate: this command is not implemented yet");
    Exit::Usage
}
