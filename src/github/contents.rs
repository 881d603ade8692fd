//! The repository contents API: read a file at a ref, write it on a branch, list a folder.
//!
//! Paths are percent-encoded segment by segment (slashes kept), as GitHub documents for the
//! `{path}` parameter; refs travel in the query string.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::client::{ApiRequest, GitHubClient, RAW_MEDIA_TYPE};
use super::error::GitHubError;

/// Characters left as they are in a path segment: RFC 3986 unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A repository, `owner/repo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repository {
    /// The owner (user or organisation).
    pub owner: String,
    /// The repository name.
    pub name: String,
}

impl std::str::FromStr for Repository {
    type Err = GitHubError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = || GitHubError::InvalidRepository {
            value: value.to_string(),
        };
        let (owner, name) = value.trim().split_once('/').ok_or_else(invalid)?;
        let ok = |part: &str| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        if !ok(owner) || !ok(name) {
            return Err(invalid());
        }
        Ok(Self {
            owner: owner.to_string(),
            name: name.to_string(),
        })
    }
}

impl std::fmt::Display for Repository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

impl Repository {
    /// `/repos/{owner}/{repo}`, the prefix of every repository endpoint.
    pub fn api_path(&self) -> String {
        format!(
            "/repos/{}/{}",
            utf8_percent_encode(&self.owner, SEGMENT),
            utf8_percent_encode(&self.name, SEGMENT)
        )
    }
}

/// Percent-encodes a repository path for the contents API: each segment encoded, `/` kept.
///
/// Rejects empty paths, absolute paths, `.`/`..` segments and empty segments.
pub fn encode_path(path: &str) -> Result<String, GitHubError> {
    let invalid = |reason: &str| GitHubError::InvalidPath {
        path: path.to_string(),
        reason: reason.to_string(),
    };
    let trimmed = path.strip_prefix("./").unwrap_or(path);
    if trimmed.is_empty() {
        return Err(invalid("it is empty"));
    }
    if trimmed.starts_with('/') {
        return Err(invalid("it must be relative to the repository root"));
    }
    if trimmed.contains('\\') {
        return Err(invalid("use `/` between folders"));
    }
    let mut encoded = Vec::new();
    for segment in trimmed.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(invalid("it has an empty, `.` or `..` segment"));
        }
        if segment.chars().any(char::is_control) {
            return Err(invalid("it contains control characters"));
        }
        encoded.push(utf8_percent_encode(segment, SEGMENT).to_string());
    }
    Ok(encoded.join("/"))
}

/// A file read from the repository: its blob sha and exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// The blob sha, required to update the file.
    pub sha: String,
    /// The content, byte for byte.
    pub bytes: Vec<u8>,
}

/// The commit made by a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitRef {
    /// The commit sha.
    pub sha: String,
    /// The commit's web page.
    pub url: String,
}

/// The answer to a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteResult {
    /// The commit was made.
    Committed(CommitRef),
    /// The file changed since it was read (or appeared since it was found missing): read again.
    Conflict {
        /// HTTP status (409 or 422).
        status: u16,
        /// GitHub's message.
        message: String,
        /// The call.
        call: String,
    },
}

#[derive(Deserialize)]
struct ContentEntry {
    #[serde(rename = "type")]
    kind: String,
    sha: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
}

/// An entry of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DirEntry {
    /// File name.
    pub name: String,
    /// Repository path.
    pub path: String,
    /// `file`, `dir`, `symlink` or `submodule`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// Reads `path` at `reference`. `Ok(None)` when the file does not exist there; a missing
/// repository or branch is an error that says which.
pub async fn get_file(
    client: &GitHubClient,
    repo: &Repository,
    path: &str,
    reference: &str,
    permission: &'static str,
) -> Result<Option<RemoteFile>, GitHubError> {
    let api_path = format!("{}/contents/{}", repo.api_path(), encode_path(path)?);
    let request = ApiRequest::get(&api_path)
        .query("ref", reference)
        .permission(permission);
    let response = client.send(&request).await?;
    if response.status == 404 {
        check_branch(client, repo, reference, &response.call, permission).await?;
        return Ok(None);
    }
    if !response.is_success() {
        return Err(response.into_error());
    }
    let trimmed = response.body.trim_ascii_start();
    if trimmed.starts_with(b"[") {
        return Err(GitHubError::NotAFile {
            path: path.to_string(),
            reference: reference.to_string(),
            kind: "folder".to_string(),
        });
    }
    let entry: ContentEntry = response.json()?;
    if entry.kind != "file" {
        return Err(GitHubError::NotAFile {
            path: path.to_string(),
            reference: reference.to_string(),
            kind: entry.kind,
        });
    }
    let inline = entry.content.as_deref().unwrap_or_default();
    let bytes = match entry.encoding.as_deref() {
        Some("base64") => {
            let compact: String = inline.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD
                .decode(compact.as_bytes())
                .map_err(|e| GitHubError::Decode {
                    call: response.call.clone(),
                    reason: format!("`content` is not base64: {e}"),
                })?
        }
        // Files over 1 MB come with encoding "none" and no content: fetch the raw bytes.
        _ => {
            let raw = ApiRequest::get(&api_path)
                .query("ref", reference)
                .accept(RAW_MEDIA_TYPE)
                .permission(permission);
            let response = client.send(&raw).await?;
            if !response.is_success() {
                return Err(response.into_error());
            }
            response.body
        }
    };
    Ok(Some(RemoteFile {
        sha: entry.sha,
        bytes,
    }))
}

/// Writes `content` to `path` on `branch` with `message`: an update when `sha` (the blob read
/// before) is given, else a creation. No `author` or `committer` is sent, so GitHub signs the
/// commit as the token's identity.
pub async fn put_file(
    client: &GitHubClient,
    repo: &Repository,
    path: &str,
    branch: &str,
    message: &str,
    content: &[u8],
    sha: Option<&str>,
) -> Result<WriteResult, GitHubError> {
    let api_path = format!("{}/contents/{}", repo.api_path(), encode_path(path)?);
    let mut body = serde_json::json!({
        "message": message,
        "content": STANDARD.encode(content),
        "branch": branch,
    });
    if let Some(sha) = sha {
        body["sha"] = serde_json::Value::String(sha.to_string());
    }
    let request = ApiRequest::put(&api_path, body).permission("contents: write");
    let response = client.send(&request).await?;
    match response.status {
        200 | 201 => {
            #[derive(Deserialize)]
            struct Commit {
                sha: String,
                #[serde(default)]
                html_url: String,
            }
            #[derive(Deserialize)]
            struct Written {
                commit: Commit,
            }
            let written: Written = response.json()?;
            Ok(WriteResult::Committed(CommitRef {
                sha: written.commit.sha,
                url: written.commit.html_url,
            }))
        }
        409 | 422 | 403 if is_protection(&response.message) => Err(GitHubError::ProtectedBranch {
            call: response.call,
            status: response.status,
            branch: branch.to_string(),
            message: response.message,
        }),
        409 | 422 if is_sha_conflict(&response.message) => Ok(WriteResult::Conflict {
            status: response.status,
            message: response.message,
            call: response.call,
        }),
        404 | 422 if names_missing_branch(&response.message) => Err(GitHubError::BranchNotFound {
            call: response.call,
            repository: repo.to_string(),
            branch: branch.to_string(),
        }),
        404 => {
            check_branch(client, repo, branch, &response.call, "contents: write").await?;
            Err(response.into_error())
        }
        _ => Err(response.into_error()),
    }
}

/// Lists the folder `path` at `reference`: `Ok(None)` when it does not exist there.
pub async fn list_dir(
    client: &GitHubClient,
    repo: &Repository,
    path: &str,
    reference: &str,
) -> Result<Option<Vec<DirEntry>>, GitHubError> {
    let api_path = format!("{}/contents/{}", repo.api_path(), encode_path(path)?);
    let request = ApiRequest::get(&api_path).query("ref", reference);
    let response = client.send(&request).await?;
    if response.status == 404 {
        check_branch(client, repo, reference, &response.call, "contents: read").await?;
        return Ok(None);
    }
    if !response.is_success() {
        return Err(response.into_error());
    }
    if !response.body.trim_ascii_start().starts_with(b"[") {
        return Err(GitHubError::NotAFile {
            path: path.to_string(),
            reference: reference.to_string(),
            kind: "file, not a folder,".to_string(),
        });
    }
    response.json().map(Some)
}

/// After a 404 from `call`: an error when the repository or `branch` does not exist, `Ok` when
/// both do (so the 404 was about the file).
pub async fn check_branch(
    client: &GitHubClient,
    repo: &Repository,
    branch: &str,
    call: &str,
    permission: &'static str,
) -> Result<(), GitHubError> {
    let branch_path = format!(
        "{}/branches/{}",
        repo.api_path(),
        encode_path(branch).map_err(|_| GitHubError::InvalidBranch {
            branch: branch.to_string()
        })?
    );
    let response = client
        .send(&ApiRequest::get(branch_path).permission(permission))
        .await?;
    if response.is_success() {
        return Ok(());
    }
    if response.status != 404 {
        return Err(response.into_error());
    }
    let repo_response = client
        .send(&ApiRequest::get(repo.api_path()).permission(permission))
        .await?;
    if repo_response.status == 404 {
        return Err(GitHubError::RepositoryNotFound {
            call: call.to_string(),
            repository: repo.to_string(),
        });
    }
    Err(GitHubError::BranchNotFound {
        call: call.to_string(),
        repository: repo.to_string(),
        branch: branch.to_string(),
    })
}

/// Whether a rejected write names branch protection or a repository ruleset.
fn is_protection(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "protected branch",
        "branch is protected",
        "protected ref",
        "rule violation",
        "repository rule",
        "changes must be made through a pull request",
        "required status check",
        "push declined",
        "approving review",
    ]
    .iter()
    .any(|needle| m.contains(needle))
}

/// Whether a rejected write says the blob sha is stale or missing (the file changed).
fn is_sha_conflict(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("does not match")
        || m.contains("wasn't supplied")
        || m.contains("was not supplied")
        || (m.contains(" is at ") && m.contains("but expected"))
        || m.contains("sha")
        || m.is_empty()
}

/// Whether a 404/422 on a write says the branch is missing.
fn names_missing_branch(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("branch") && m.contains("not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_per_segment() {
        assert_eq!(
            encode_path("docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md").unwrap(),
            "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md"
        );
        assert_eq!(
            encode_path("./docs/a b#?%/é.md").unwrap(),
            "docs/a%20b%23%3F%25/%C3%A9.md"
        );
    }

    #[test]
    fn bad_paths_are_rejected() {
        for bad in [
            "",
            "/etc/passwd",
            "docs//x.md",
            "docs/../x.md",
            "a\\b",
            "x\n.md",
        ] {
            assert!(encode_path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn repositories_parse() {
        let repo: Repository = "n8kahl/ITM-gd".parse().unwrap();
        assert_eq!(repo.api_path(), "/repos/n8kahl/ITM-gd");
        for bad in ["", "owner", "owner/", "/repo", "a/b/c", "o/..", "o w/r"] {
            assert!(bad.parse::<Repository>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn write_rejections_are_classified() {
        assert!(is_protection(
            "Repository rule violations found Changes must be made through a pull request."
        ));
        assert!(is_protection(
            "Protected branch update failed for refs/heads/main."
        ));
        assert!(is_sha_conflict(
            "docs/x.md does not match 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"
        ));
        assert!(is_sha_conflict("Invalid request. \"sha\" wasn't supplied."));
        assert!(!is_sha_conflict(
            "Invalid request. \"content\" is not valid base64."
        ));
        assert!(names_missing_branch("Branch feature/x not found"));
    }
}
