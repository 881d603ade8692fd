//! Checks the exit criteria for the production cut (runbook section 8): the latest run of the
//! live workflow on the branch succeeded, the status document records a `PASS` for that run's
//! commit, and no open issue carries a blocking label.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::dispatch::WorkflowRun;
use crate::evidence;
use crate::github::checks::CheckReport;
use crate::github::contents::{self, Repository};
use crate::github::{ApiRequest, GitHubClient, GitHubError};
use crate::text::{Spaces, one_line};
use crate::verdict::Verdict;

/// The status document of the users' repository.
pub const DEFAULT_STATUS_FILE: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
/// Labels that block the cut.
pub const DEFAULT_BLOCKING_LABELS: [&str; 2] = ["P0", "P1"];

/// What `readiness` checks, resolved from flags, inputs and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessSettings {
    /// `owner/repo`.
    pub repository: String,
    /// The release-candidate branch.
    pub branch: String,
    /// The workflow file (its file name identifies it to the API).
    pub workflow: String,
    /// The status document, repository-relative.
    pub status_file: String,
    /// Labels that block the cut.
    pub blocking_labels: Vec<String>,
}

/// Runs every check against the API and returns the report.
pub async fn check(client: &GitHubClient, settings: &ReadinessSettings) -> CheckReport {
    let mut report = CheckReport::new("readiness");
    let repo: Repository = match settings.repository.parse() {
        Ok(repo) => repo,
        Err(err) => {
            report.fail(err.to_string());
            return report;
        }
    };
    let run = check_latest_run(client, &repo, settings, &mut report).await;
    check_evidence(client, &repo, settings, run.as_ref(), &mut report).await;
    check_issues(client, &repo, settings, &mut report).await;
    report
}

/// 1. The latest run of the workflow on the branch completed with success.
async fn check_latest_run(
    client: &GitHubClient,
    repo: &Repository,
    settings: &ReadinessSettings,
    report: &mut CheckReport,
) -> Option<WorkflowRun> {
    let workflow = settings.workflow.as_str();
    let file_name = workflow.rsplit('/').next().unwrap_or(workflow);
    let id = match contents::encode_path(file_name) {
        Ok(id) => id,
        Err(err) => {
            report.fail(err.to_string());
            return None;
        }
    };
    let branch = settings.branch.as_str();
    let request = ApiRequest::get(format!("{}/actions/workflows/{id}/runs", repo.api_path()))
        .query("branch", branch)
        .query("per_page", "1")
        .query("exclude_pull_requests", "true");
    #[derive(Deserialize)]
    struct Runs {
        #[serde(default)]
        workflow_runs: Vec<WorkflowRun>,
    }
    let runs: Runs = match client.get_json(&request).await {
        Ok(runs) => runs,
        Err(GitHubError::Status { status: 404, .. }) => {
            report.fail(format!(
                "workflow `{workflow}` was not found in `{repo}` (it must be on the default branch, and the token needs `actions: read`)"
            ));
            return None;
        }
        Err(err) => {
            report.fail(format!("could not list the runs of `{workflow}`: {err}"));
            return None;
        }
    };
    let Some(run) = runs.workflow_runs.into_iter().next() else {
        report.fail(format!(
            "no run of `{workflow}` on branch `{branch}`: dispatch it (itm-gate run, or the Actions tab)"
        ));
        return None;
    };
    let status = run.status.as_deref().unwrap_or("unknown");
    match (status, run.conclusion.as_deref()) {
        ("completed", Some("success")) => {
            report.pass(format!(
                "the latest run of `{workflow}` on `{branch}` succeeded: {}",
                run.describe()
            ));
        }
        ("completed", conclusion) => {
            report.fail(format!(
                "the latest run of `{workflow}` on `{branch}` concluded `{}`: {}",
                conclusion.unwrap_or("unknown"),
                run.describe()
            ));
        }
        (status, _) => {
            report.fail(format!(
                "the latest run of `{workflow}` on `{branch}` has not completed (status `{status}`): {}",
                run.describe()
            ));
        }
    }
    Some(run)
}

/// 2. The status document records `Result: PASS` for the latest run's commit.
async fn check_evidence(
    client: &GitHubClient,
    repo: &Repository,
    settings: &ReadinessSettings,
    run: Option<&WorkflowRun>,
    report: &mut CheckReport,
) {
    let path = settings.status_file.as_str();
    let branch = settings.branch.as_str();
    let file = match contents::get_file(client, repo, path, branch, "contents: read").await {
        Ok(Some(file)) => file,
        Ok(None) => {
            report.fail(format!(
                "status document `{path}` is not on branch `{branch}`"
            ));
            return;
        }
        Err(err) => {
            report.fail(format!("could not read `{path}` on `{branch}`: {err}"));
            return;
        }
    };
    let text = String::from_utf8_lossy(&file.bytes);
    let Some(block) = evidence::parse_block(&text) else {
        report.fail(format!(
            "`{path}` on `{branch}` holds no evidence block (`### Staging Live Gate Evidence`); \
             run the gate with `commit: on-success`"
        ));
        return;
    };
    let commit = block.commit.as_deref().unwrap_or("").trim();
    let result_ok = block.result == Some(Verdict::Pass);
    if !result_ok {
        let result = match block.result {
            Some(Verdict::Fail) => "FAIL",
            Some(Verdict::Skip) => "SKIP",
            _ => "no result",
        };
        report.fail(format!(
            "the evidence block in `{path}` records {result}, not PASS (commit {})",
            if commit.is_empty() { "unknown" } else { commit }
        ));
    }
    match run {
        Some(run) if !evidence::is_for_commit(commit, &run.head_sha) => report.fail(format!(
            "the evidence block in `{path}` is for commit {}, but the latest run tested {}: \
             record the evidence of the latest run",
            if commit.is_empty() { "(none)" } else { commit },
            run.head_sha
        )),
        Some(run) if result_ok => report.pass(format!(
            "`{path}` on `{branch}` records PASS for commit {} (the latest run's)",
            run.head_sha
        )),
        Some(_) => {}
        None if result_ok => {
            report.pass(format!(
                "`{path}` on `{branch}` records PASS for commit {commit}"
            ));
            report.info("the evidence commit could not be compared with the latest run");
        }
        None => {}
    }
}

/// 3. No open issue (pull requests excluded) carries a blocking label.
async fn check_issues(
    client: &GitHubClient,
    repo: &Repository,
    settings: &ReadinessSettings,
    report: &mut CheckReport,
) {
    if settings.blocking_labels.is_empty() {
        report.info("no blocking labels configured; open issues not checked");
        return;
    }
    // number -> (title, url, blocking labels it carries)
    let mut blocking: BTreeMap<u64, (String, String, Vec<String>)> = BTreeMap::new();
    for label in &settings.blocking_labels {
        // `labels` means "all of these", so ask once per label.
        let request = ApiRequest::get(format!("{}/issues", repo.api_path()))
            .query("state", "open")
            .query("labels", label.as_str())
            .query("per_page", "100");
        let pages = match client.paginate(&request, 20).await {
            Ok(pages) => pages,
            Err(err) => {
                report.fail(format!(
                    "could not list open issues labelled `{label}`: {err}"
                ));
                continue;
            }
        };
        for issue in pages.iter().filter_map(|p| p.as_array()).flatten() {
            if issue.get("pull_request").is_some() {
                continue;
            }
            let Some(number) = issue.get("number").and_then(|n| n.as_u64()) else {
                continue;
            };
            let title = issue.get("title").and_then(|t| t.as_str()).unwrap_or("");
            let url = issue.get("html_url").and_then(|t| t.as_str()).unwrap_or("");
            let entry = blocking
                .entry(number)
                .or_insert_with(|| (title.to_string(), url.to_string(), Vec::new()));
            entry.2.push(label.clone());
        }
    }
    let labels = settings.blocking_labels.join(", ");
    if blocking.is_empty() {
        report.pass(format!("no open issues labelled {labels}"));
        return;
    }
    let total = blocking.len();
    for (number, (title, url, labels)) in blocking.iter().take(20) {
        report.fail(format!(
            "open issue #{number} ({}) blocks the cut: {} {url}",
            labels.join(", "),
            one_line(title, Spaces::Collapse, 120)
        ));
    }
    if total > 20 {
        report.info(format!("and {} more open blocking issues", total - 20));
    }
}
