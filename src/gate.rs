//! The gate decision (DESIGN.md section 3, "The gate").

use crate::config::GateArgs;
use crate::exit::Exit;

/// Runs the `gate` command and returns its exit code.
pub fn run(_args: GateArgs) -> Exit {
    Exit::Usage
}
