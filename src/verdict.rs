//! Per-spec verdicts: `PASS`, `FAIL` or `SKIP`, with counts and reasons (DESIGN.md section 3).

use serde::Serialize;
use std::fmt;

/// The verdict of one spec file, or of the whole gate (`PASS` / `FAIL` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Verdict {
    /// Every test that ran passed and nothing disqualifying was seen.
    Pass,
    /// At least one rule of DESIGN.md section 3 failed the spec.
    Fail,
    /// Every test of the spec was skipped on purpose, and no rule failed it.
    Skip,
}

impl Verdict {
    /// The word used in the evidence block, outputs and summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "SKIP",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
