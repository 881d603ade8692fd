//! GitHub REST API client: the evidence commit, and the calls of `preflight` and `readiness`.
//!
//! - [`client`]: headers, token, timeouts, retries, rate limits, pagination; API host only.
//! - [`contents`]: read, write and list repository files through the contents API.
//! - [`record`]: the evidence commit (update rule applied, conflicts re-applied, dry run).
//! - [`checks`]: the `PASS:`/`FAIL:` report of `preflight` and `readiness`.
//! - [`error`]: [`GitHubError`], whose messages name the HTTP call and say what to do.
//!
//! The token is kept private: it is sent only in the `Authorization` header to the API host,
//! and never appears in `Debug` output, errors or logs.

pub mod checks;
pub mod client;
pub mod contents;
pub mod error;
pub mod record;

pub use client::{ApiRequest, ApiResponse, DEFAULT_API_URL, GitHubClient, RetryPolicy, Sleeper};
pub use contents::Repository;
pub use error::GitHubError;
pub use record::{
    CommitMode, ParseCommitModeError, RecordOutcome, RecordRequest, commit_message, record_evidence,
};

/// Runs `future` to completion on a new current-thread tokio runtime, for synchronous callers.
pub fn block_on<F: std::future::Future>(future: F) -> Result<F::Output, GitHubError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| GitHubError::Setup(format!("async runtime: {e}")))?;
    Ok(runtime.block_on(future))
}
