//! GitHub Actions runner I/O: inputs, step outputs, annotations and the job summary.
//!
//! Follows the conventions of `@actions/core`: inputs are trimmed and empty means unset.

/// The environment variable the runner sets for an input: `INPUT_` and the name upper-cased,
/// spaces replaced by `_`, hyphens kept (`backend-url` → `INPUT_BACKEND-URL`).
pub fn input_variable(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// The value of an action input from the environment, trimmed; `None` when unset or empty.
pub fn input(name: &str) -> Option<String> {
    let value = std::env::var(input_variable(name)).ok()?;
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Whether this process runs inside GitHub Actions (`GITHUB_ACTIONS=true`).
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}
