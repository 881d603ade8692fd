//! The evidence commit: read the status document on the branch, apply the update rule, and
//! write it back through the contents API — or show the change (dry run), or nothing when the
//! document would not change.
//!
//! A write that loses a race (someone changed the document between read and write) reads
//! again and re-applies the update to *their* version, so no change is lost.

use std::fmt;
use std::str::FromStr;

use super::client::GitHubClient;
use super::contents::{Repository, WriteResult, get_file, put_file};
use super::error::GitHubError;

/// When the `gate` command commits the evidence (the `commit` input).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitMode {
    /// Only when the gate passed (`on-success`, the default).
    #[default]
    OnSuccess,
    /// Whatever the result (`always`): a FAIL block is recorded too.
    Always,
    /// Never (`never`): the evidence stays in the summary, outputs and `evidence-file`.
    Never,
}

/// The `commit` input has a value that is not a [`CommitMode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("input `commit` is `{0}`; expected on-success, always or never")]
pub struct ParseCommitModeError(pub String);

impl FromStr for CommitMode {
    type Err = ParseCommitModeError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "on-success" => Ok(Self::OnSuccess),
            "always" => Ok(Self::Always),
            "never" => Ok(Self::Never),
            _ => Err(ParseCommitModeError(value.to_string())),
        }
    }
}

impl fmt::Display for CommitMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OnSuccess => "on-success",
            Self::Always => "always",
            Self::Never => "never",
        })
    }
}

impl CommitMode {
    /// Whether to commit the evidence of a gate that passed (`true`) or failed (`false`).
    pub fn should_commit(self, gate_passed: bool) -> bool {
        match self {
            Self::OnSuccess => gate_passed,
            Self::Always => true,
            Self::Never => false,
        }
    }
}

/// A conservative check of git's branch-name rules (`git check-ref-format --branch`).
pub(crate) fn is_valid_branch(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && !name.starts_with('/')
        && !name.ends_with('/')
        && !name.ends_with('.')
        && !name.ends_with(".lock")
        && !name.contains("..")
        && !name.contains("//")
        && !name.contains("@{")
        && !name
            .chars()
            .any(|c| c.is_control() || c == ' ' || "~^:?*[\\".contains(c))
}

/// What to record, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRequest {
    /// `owner/repo`.
    pub repository: String,
    /// The branch that receives the commit (see [`crate::settings::resolve_branch`]).
    pub branch: String,
    /// The status document, repository-relative (the `status-file` input).
    pub path: String,
    /// The commit message (see [`commit_message`]).
    pub message: String,
    /// Read and compute, but do not write: return the diff instead.
    pub dry_run: bool,
}

/// What recording the evidence did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// The evidence was committed.
    Committed {
        /// The commit sha (the `commit-sha` output).
        sha: String,
        /// The commit's web page (the `commit-url` output).
        url: String,
    },
    /// The document already holds this evidence; nothing was written (also in a dry run).
    Unchanged,
    /// Dry run: the unified diff of the document that a commit would make.
    DryRun {
        /// Unified diff, `a/<path>` → `b/<path>` (`/dev/null` when the file is new).
        diff: String,
    },
}

/// Records the evidence in the status document on the branch.
///
/// Reads the document (a missing file is `None`), computes `update(current)` — the gate's
/// update rule — and writes the result with the blob sha read, unless it is unchanged or this
/// is a dry run. When the write is rejected because the document changed meanwhile (409/422),
/// it reads again and re-applies `update` to the new version, up to the policy's
/// `max_conflict_attempts`, with jittered back-off.
pub async fn record_evidence(
    client: &GitHubClient,
    req: &RecordRequest,
    update: &dyn Fn(Option<&str>) -> String,
) -> Result<RecordOutcome, GitHubError> {
    let repo: Repository = req.repository.parse()?;
    if !is_valid_branch(&req.branch) {
        return Err(GitHubError::InvalidBranch {
            branch: req.branch.clone(),
        });
    }
    let permission = if req.dry_run {
        "contents: read"
    } else {
        "contents: write"
    };
    let max_attempts = client.policy().max_conflict_attempts.max(1);
    let mut attempt = 0;
    loop {
        attempt += 1;
        let current = get_file(client, &repo, &req.path, &req.branch, permission).await?;
        let old_text = match &current {
            Some(file) => {
                Some(
                    std::str::from_utf8(&file.bytes).map_err(|_| GitHubError::NotText {
                        path: req.path.clone(),
                        reference: req.branch.clone(),
                    })?,
                )
            }
            None => None,
        };
        let new_text = update(old_text);
        if old_text == Some(new_text.as_str()) {
            return Ok(RecordOutcome::Unchanged);
        }
        if req.dry_run {
            return Ok(RecordOutcome::DryRun {
                diff: crate::statusdoc::file_diff(&req.path, old_text, &new_text),
            });
        }
        let sha = current.as_ref().map(|f| f.sha.as_str());
        let written = put_file(
            client,
            &repo,
            &req.path,
            &req.branch,
            &req.message,
            new_text.as_bytes(),
            sha,
        )
        .await?;
        match written {
            WriteResult::Committed(commit) => {
                return Ok(RecordOutcome::Committed {
                    sha: commit.sha,
                    url: commit.url,
                });
            }
            WriteResult::Conflict {
                status,
                message,
                call,
            } => {
                if attempt >= max_attempts {
                    return Err(GitHubError::Conflict {
                        call,
                        status,
                        message,
                        attempts: attempt,
                    });
                }
                tracing::warn!(
                    call = %call,
                    "the status document changed while committing; reading it again"
                );
                client.sleep(client.policy().backoff(attempt)).await;
            }
        }
    }
}

/// The evidence commit's message: names the short commit sha under test and the run id.
pub fn commit_message(commit_sha: &str, run_id: Option<&str>) -> String {
    let sha: String = commit_sha
        .trim()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(7)
        .collect();
    let subject = if sha.is_empty() {
        "Record staging live gate evidence".to_string()
    } else {
        format!("Record staging live gate evidence for {sha}")
    };
    match run_id
        .map(|r| {
            r.trim()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|r| !r.is_empty())
    {
        Some(run) => format!("{subject} (run {run})"),
        None => subject,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_mode_parses_and_decides() {
        assert_eq!(
            "on-success".parse::<CommitMode>().unwrap(),
            CommitMode::OnSuccess
        );
        assert_eq!(
            " Always ".parse::<CommitMode>().unwrap(),
            CommitMode::Always
        );
        assert_eq!("never".parse::<CommitMode>().unwrap(), CommitMode::Never);
        let err = "yes".parse::<CommitMode>().unwrap_err().to_string();
        assert!(
            err.contains("`commit` is `yes`") && err.contains("on-success"),
            "{err}"
        );
        assert!(CommitMode::OnSuccess.should_commit(true));
        assert!(!CommitMode::OnSuccess.should_commit(false));
        assert!(CommitMode::Always.should_commit(false));
        assert!(!CommitMode::Never.should_commit(true));
        assert_eq!(CommitMode::default().to_string(), "on-success");
    }

    #[test]
    fn commit_message_names_short_sha_and_run() {
        assert_eq!(
            commit_message(
                "0123456789abcdef0123456789abcdef01234567",
                Some("987654321")
            ),
            "Record staging live gate evidence for 0123456 (run 987654321)"
        );
        assert_eq!(
            commit_message("abc", None),
            "Record staging live gate evidence for abc"
        );
        assert_eq!(
            commit_message("", Some("")),
            "Record staging live gate evidence"
        );
    }
}
