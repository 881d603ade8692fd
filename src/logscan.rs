//! Log scanning: backend bootstrap and auth-bypass failures (DESIGN.md section 5).

use crate::exit::Exit;

/// Flags of the `scan-logs` command: scan log files with the gate's rules, outside a gate run.
#[derive(Debug, clap::Args)]
pub struct ScanLogsArgs {}

/// Runs the `scan-logs` command and returns its exit code.
pub fn run(_args: ScanLogsArgs) -> Exit {
    eprintln!("itm-gate: this command is not implemented yet");
    Exit::Usage
}
