//! The commands of the binary, one module each, holding its flags (`Args`) and its `run`.
//!
//! A command resolves its settings ([`crate::settings`]), calls the domain modules and prints its
//! own lines. It returns a [`Result`]: `Ok` with the exit code its outcome means (READY, NOT
//! READY, the run's conclusion), or a [`Failure`] that [`crate::app`] prints once, with its
//! context chain, and maps to its exit code. No command prints its own errors.

pub mod gate;
pub mod preflight;
pub mod readiness;
pub mod run;
pub mod scan_logs;
pub mod secrets;

use crate::exit::Exit;

/// What a command returns: the exit code of its outcome, or the failure that stopped it.
pub type Outcome = Result<Exit, Failure>;

/// An error that stopped a command, with the exit code README documents for it.
#[derive(Debug)]
pub struct Failure {
    /// The exit code: [`Exit::Usage`], [`Exit::GitHub`] or [`Exit::Internal`].
    pub exit: Exit,
    /// The error, with its context chain.
    pub error: anyhow::Error,
    /// What to do about it, printed on a line of its own after the error.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure with `exit`.
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Self {
            exit,
            error: error.into(),
            hint: None,
        }
    }

    /// Bad flags, inputs or files, found before any work was done (exit 2).
    pub fn usage(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Exit::Usage, error)
    }

    /// A GitHub API call failed (exit 3).
    pub fn github(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Exit::GitHub, error)
    }

    /// Something the user cannot fix with flags failed (exit 4).
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::new(Exit::Internal, error)
    }

    /// The same failure with a line saying what to do.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The lines printed on stderr for `command`: `itm-gate <command>: <error chain>`, then the
    /// hint when there is one.
    pub fn lines(&self, command: &str) -> Vec<String> {
        let mut lines = vec![format!("itm-gate {command}: {}", chain(&self.error))];
        if let Some(hint) = &self.hint {
            lines.push(format!("itm-gate {command}: {hint}"));
        }
        lines
    }
}

/// The error and its causes, joined by `: `; a cause that its error already shows (a wrapper
/// whose message is `{0}`, or ends with its cause) is not repeated.
fn chain(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let message = cause.to_string();
        if text.is_empty() {
            text = message;
        } else if !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
    }
    text
}

/// Runs `future` on a current-thread runtime; a runtime that cannot start is an internal failure.
pub(crate) fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, Failure> {
    crate::github::block_on(future).map_err(Failure::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_prints_its_chain_on_one_line_and_its_hint_below() {
        let error = anyhow::anyhow!("403 Forbidden").context("PUT /repos/o/r/actions/secrets/X");
        let failure = Failure::github(error).with_hint("the token needs Secrets: write");
        assert_eq!(
            failure.lines("secrets"),
            [
                "itm-gate secrets: PUT /repos/o/r/actions/secrets/X: 403 Forbidden",
                "itm-gate secrets: the token needs Secrets: write",
            ]
        );
        assert_eq!(failure.exit, Exit::GitHub);
    }

    /// A library error that wraps another as `{0}` (`DispatchError::GitHub`,
    /// `SecretsError::GitHub`) is printed once, not as `message: message`.
    #[test]
    fn a_wrapped_cause_is_not_repeated() {
        let err = crate::dispatch::DispatchError::GitHub(crate::github::GitHubError::MissingToken);
        let once = crate::github::GitHubError::MissingToken.to_string();
        assert_eq!(
            Failure::github(err).lines("run"),
            [format!("itm-gate run: {once}")]
        );
    }
}
