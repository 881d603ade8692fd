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

/// Which branch receives the evidence commit: the `branch` input when given, else the branch
/// under test — `GITHUB_HEAD_REF` for pull requests, else `GITHUB_REF_NAME` when `GITHUB_REF`
/// is a branch (`refs/heads/…`). A tag or detached ref without `branch` is an error that says
/// to set `branch`.
///
/// `env` reads a variable (`None` when unset); empty values count as unset.
pub fn resolve_branch(
    input: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<String, GitHubError> {
    let var = |name: &str| {
        env(name)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let branch = if let Some(input) = input.map(str::trim).filter(|v| !v.is_empty()) {
        input
            .strip_prefix("refs/heads/")
            .unwrap_or(input)
            .to_string()
    } else if let Some(head) = var("GITHUB_HEAD_REF") {
        head
    } else {
        match var("GITHUB_REF") {
            Some(reference) => match reference.strip_prefix("refs/heads/") {
                Some(from_ref) => var("GITHUB_REF_NAME").unwrap_or_else(|| from_ref.to_string()),
                None => {
                    return Err(GitHubError::NoBranch {
                        reference: format!("GITHUB_REF `{reference}`"),
                    });
                }
            },
            None => {
                return Err(GitHubError::NoBranch {
                    reference: "the current ref (GITHUB_REF is not set)".to_string(),
                });
            }
        }
    };
    if !is_valid_branch(&branch) {
        return Err(GitHubError::InvalidBranch { branch });
    }
    Ok(branch)
}

/// A conservative check of git's branch-name rules (`git check-ref-format --branch`).
fn is_valid_branch(name: &str) -> bool {
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
    /// The branch that receives the commit (see [`resolve_branch`]).
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
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

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
    fn explicit_branch_input_wins() {
        let env = env_of(&[("GITHUB_REF", "refs/tags/v1"), ("GITHUB_HEAD_REF", "feat")]);
        assert_eq!(
            resolve_branch(Some(" release/1.2 "), &env).unwrap(),
            "release/1.2"
        );
        assert_eq!(
            resolve_branch(Some("refs/heads/main"), &env).unwrap(),
            "main"
        );
    }

    #[test]
    fn pull_requests_use_the_head_branch() {
        let env = env_of(&[
            ("GITHUB_REF", "refs/pull/12/merge"),
            ("GITHUB_REF_NAME", "12/merge"),
            ("GITHUB_HEAD_REF", "Aiupgrade"),
        ]);
        assert_eq!(resolve_branch(None, &env).unwrap(), "Aiupgrade");
    }

    #[test]
    fn branch_runs_use_the_ref_name() {
        let env = env_of(&[
            ("GITHUB_REF", "refs/heads/feature/x"),
            ("GITHUB_REF_NAME", "feature/x"),
            ("GITHUB_HEAD_REF", ""),
        ]);
        assert_eq!(resolve_branch(Some(""), &env).unwrap(), "feature/x");
        let no_name = env_of(&[("GITHUB_REF", "refs/heads/main")]);
        assert_eq!(resolve_branch(None, &no_name).unwrap(), "main");
    }

    #[test]
    fn tags_and_detached_refs_ask_for_branch() {
        let tag = env_of(&[
            ("GITHUB_REF", "refs/tags/v1.0"),
            ("GITHUB_REF_NAME", "v1.0"),
        ]);
        let err = resolve_branch(None, &tag).unwrap_err().to_string();
        assert!(
            err.contains("refs/tags/v1.0") && err.contains("`branch` input"),
            "{err}"
        );
        let unset = env_of(&[]);
        let err = resolve_branch(None, &unset).unwrap_err().to_string();
        assert!(err.contains("`branch` input"), "{err}");
    }

    #[test]
    fn invalid_branch_names_are_rejected() {
        let env = env_of(&[]);
        for bad in ["a b", "a..b", "-x", "x.lock", "a:b", "x/"] {
            assert!(resolve_branch(Some(bad), &env).is_err(), "{bad:?}");
        }
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
