//! The errors of the GitHub client: each names the HTTP call (method and API path, never the
//! token) and says what to do next.

/// What went wrong talking to the GitHub REST API.
///
/// Messages never contain the token: texts taken from responses are redacted by the client
/// before they are stored here.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    /// `GITHUB_API_URL` (or the base given to the client) is not an http(s) URL.
    #[error(
        "GitHub API URL `{url}` is not usable: {reason}; set GITHUB_API_URL to the API root, \
         e.g. https://api.github.com or https://<host>/api/v3 for GitHub Enterprise Server"
    )]
    InvalidApiUrl {
        /// The URL as given.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// No token was given.
    #[error(
        "no GitHub token: set the `token` input (default `${{{{ github.token }}}}`), the --token flag \
         or GITHUB_TOKEN"
    )]
    MissingToken,
    /// The token cannot be sent in an HTTP header (control characters, line breaks).
    #[error(
        "the GitHub token contains characters that cannot be sent in an HTTP header; check the \
         `token` input for stray quotes or line breaks"
    )]
    InvalidToken,
    /// The HTTP client or the async runtime could not be set up.
    #[error("could not set up the HTTP client: {0}")]
    Setup(String),
    /// The repository is not in the form `owner/repo`.
    #[error(
        "repository `{value}` is not in the form owner/repo; set the `repository` input or \
         GITHUB_REPOSITORY"
    )]
    InvalidRepository {
        /// The value as given.
        value: String,
    },
    /// A repository path that cannot be sent to the contents API.
    #[error("`{path}` is not a usable repository-relative file path: {reason}")]
    InvalidPath {
        /// The path as given.
        path: String,
        /// Why it was rejected.
        reason: String,
    },
    /// No branch could be determined for the evidence commit.
    #[error(
        "no branch to commit the evidence to: {reference} is not a branch (a tag or a detached \
         ref); set the `branch` input to the branch that should receive the evidence"
    )]
    NoBranch {
        /// What the run was started from (`GITHUB_REF`), or a description when unset.
        reference: String,
    },
    /// A branch name that cannot be a git branch.
    #[error("branch `{branch}` is not a valid branch name; check the `branch` input")]
    InvalidBranch {
        /// The name as given.
        branch: String,
    },
    /// 401: the token was rejected.
    #[error(
        "{call}: 401 {message}: the token was rejected (expired or invalid); check the `token` \
         input. With the workflow's GITHUB_TOKEN, give the job `permissions: contents: write`"
    )]
    Unauthorized {
        /// The HTTP call, e.g. `PUT /repos/o/r/contents/docs/status.md`.
        call: String,
        /// GitHub's message.
        message: String,
    },
    /// 403 that is not a rate limit: the token lacks a permission.
    #[error(
        "{call}: 403 {message}: the token lacks permission; add `permissions: {permission}` to the \
         workflow job (or use a token that has it)"
    )]
    Forbidden {
        /// The HTTP call.
        call: String,
        /// GitHub's message.
        message: String,
        /// The permission the call needs, e.g. `contents: write`.
        permission: String,
    },
    /// 404 for the repository.
    #[error(
        "{call}: 404: repository `{repository}` was not found, or the token cannot see it; check \
         the `repository` input and the token's access"
    )]
    RepositoryNotFound {
        /// The HTTP call.
        call: String,
        /// `owner/repo`.
        repository: String,
    },
    /// 404 for the branch.
    #[error(
        "{call}: 404: branch `{branch}` does not exist in `{repository}`; push the branch first or \
         set the `branch` input"
    )]
    BranchNotFound {
        /// The HTTP call.
        call: String,
        /// `owner/repo`.
        repository: String,
        /// The branch.
        branch: String,
    },
    /// The branch is protected (branch protection or a ruleset) and rejected the commit.
    #[error(
        "{call}: {status}: branch `{branch}` is protected and rejected the evidence commit \
         ({message}); let the workflow's token bypass the rule, set `branch` to an unprotected \
         branch, or use `commit: never` and record the evidence by pull request"
    )]
    ProtectedBranch {
        /// The HTTP call.
        call: String,
        /// HTTP status (409, 422 or 403).
        status: u16,
        /// The branch.
        branch: String,
        /// GitHub's message.
        message: String,
    },
    /// The document kept changing between read and write.
    #[error(
        "{call}: {status} {message}: the file kept changing while the evidence was being \
         committed; gave up after {attempts} attempts; re-run the step"
    )]
    Conflict {
        /// The HTTP call.
        call: String,
        /// The last HTTP status (409 or 422).
        status: u16,
        /// GitHub's last message.
        message: String,
        /// How many writes were tried.
        attempts: u32,
    },
    /// A rate limit whose wait would exceed the configured cap.
    #[error(
        "{call}: rate limited ({detail}); waiting {wait_secs} s more would exceed the cap of \
         {cap_secs} s on total waiting; re-run the step later"
    )]
    RateLimited {
        /// The HTTP call.
        call: String,
        /// Status and limit details (reset time, GitHub's message).
        detail: String,
        /// The wait GitHub asked for, in seconds.
        wait_secs: u64,
        /// The cap on total waiting, in seconds.
        cap_secs: u64,
    },
    /// 5xx responses that did not go away with retries.
    #[error(
        "{call}: {status} {message} after {attempts} attempts; GitHub may be degraded \
         (https://www.githubstatus.com); re-run the step"
    )]
    Server {
        /// The HTTP call.
        call: String,
        /// The last HTTP status.
        status: u16,
        /// GitHub's last message.
        message: String,
        /// How many requests were sent.
        attempts: u32,
    },
    /// Timeouts, refused or reset connections that did not go away with retries.
    #[error(
        "{call}: {detail} after {attempts} attempts; check the network and GITHUB_API_URL, then \
         re-run the step"
    )]
    Network {
        /// The HTTP call.
        call: String,
        /// What failed (timeout, connection reset, ...).
        detail: String,
        /// How many requests were tried.
        attempts: u32,
    },
    /// A status the call does not expect.
    #[error("{call}: unexpected {status} {message}")]
    Status {
        /// The HTTP call.
        call: String,
        /// The HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
    },
    /// A response body that is not what the documented API returns.
    #[error("{call}: unexpected response body: {reason}")]
    Decode {
        /// The HTTP call.
        call: String,
        /// What was wrong with it.
        reason: String,
    },
    /// A link to follow (pagination, redirect) that points away from the API host.
    #[error(
        "{call}: GitHub pointed to `{url}`, which is not on the API host; refusing to send the \
         token there"
    )]
    ForeignUrl {
        /// The HTTP call.
        call: String,
        /// The URL that was refused (without query).
        url: String,
    },
    /// The path names a directory, symlink or submodule rather than a file.
    #[error("`{path}` on `{reference}` is a {kind}, not a file; set `status-file` to a file path")]
    NotAFile {
        /// The repository path.
        path: String,
        /// The branch or ref.
        reference: String,
        /// What GitHub says it is.
        kind: String,
    },
    /// The file is not UTF-8 text.
    #[error(
        "`{path}` on `{reference}` is not UTF-8 text; the evidence can only be placed in a text \
         document"
    )]
    NotText {
        /// The repository path.
        path: String,
        /// The branch or ref.
        reference: String,
    },
}

impl GitHubError {
    /// Whether the error means the token lacks access (401, or a 403 that is not a rate limit).
    pub fn is_permission(&self) -> bool {
        matches!(self, Self::Unauthorized { .. } | Self::Forbidden { .. })
    }
}
