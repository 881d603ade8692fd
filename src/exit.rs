//! Process exit codes: part of the public contract, documented in README.

/// Exit codes of the `itm-gate` binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The gate passed (or failed with `fail-on-gate: false`); a preflight or readiness check is READY.
    Success = 0,
    /// The gate failed (including unreadable or invalid reports); NOT READY for preflight/readiness.
    GateFailed = 1,
    /// Invalid inputs or flags, detected before any work was done.
    Usage = 2,
    /// The evidence commit (or another GitHub API call) failed; the gate result is unchanged.
    GitHub = 3,
    /// An unexpected internal error, such as a runner file that cannot be written.
    Internal = 4,
}

impl Exit {
    /// The numeric code handed to the operating system.
    pub fn code(self) -> u8 {
        self as u8
    }
}
