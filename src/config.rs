//! Settings of the `gate` command, from flags and `INPUT_*` variables (a flag wins).

/// Flags of the `gate` command; every flag is also an action input of the same name.
#[derive(Debug, Default, clap::Args)]
pub struct GateArgs {}
