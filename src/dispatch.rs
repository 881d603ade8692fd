//! Dispatches the live workflow and follows it to completion (runbook section 4, the CLI
//! alternative), through the REST API:
//!
//! 1. the backend URL is checked (`http`/`https`, no credentials);
//! 2. [`crate::preflight`] runs, and a NOT READY repository is not dispatched;
//! 3. `POST .../actions/workflows/{workflow}/dispatches` with `ref` and `inputs.backend_url`;
//! 4. the run it started is found (same workflow, branch and event, created after the dispatch
//!    and not listed before it), within a bounded wait;
//! 5. the run is polled until it completes, printing its jobs' and steps' progress;
//! 6. the evidence block the gate recorded for the run's commit is read back from the status
//!    document.
//!
//! Deciding (which run is ours, what changed since the last poll, whether the evidence is the
//! run's) is pure; the API calls are at the edges.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::exit::Exit;
use crate::github::checks::CheckReport;
use crate::github::contents::{self, Repository};
use crate::github::{ApiRequest, GitHubClient, GitHubError};
use crate::text::{Spaces, one_line};
use crate::{evidence, preflight, statusdoc};

/// Seconds between two polls of the run when `--poll-interval` is not given.
pub const DEFAULT_POLL_INTERVAL_SECS: f64 = 10.0;
/// Seconds the run is followed at most when `--timeout` is not given.
pub const DEFAULT_TIMEOUT_SECS: u64 = 3600;
/// How long the run started by the dispatch may take to appear in the runs list.
pub const FIND_TIMEOUT: Duration = Duration::from_secs(120);
/// Longest wait between two looks for the new run (it usually appears within seconds).
const FIND_POLL_CAP: Duration = Duration::from_secs(5);
/// Runs created this long before the dispatch (by GitHub's clock) still count, for clock skew;
/// runs already listed before the dispatch never do.
const CLOCK_SKEW: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

/// What `run` does, resolved from flags, inputs and defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSettings {
    /// The repository.
    pub repository: Repository,
    /// The branch the workflow runs on (the dispatch `ref`).
    pub branch: String,
    /// The workflow file, repository-relative.
    pub workflow: String,
    /// The status document, repository-relative.
    pub status_file: String,
    /// The validated backend URL (`inputs.backend_url`).
    pub backend_url: String,
    /// Wait between two polls of the run.
    pub poll_interval: Duration,
    /// Cap on the waits between polls while following the run.
    pub timeout: Duration,
    /// Cap on the waits while looking for the run the dispatch started.
    pub find_timeout: Duration,
    /// Dispatch without running preflight.
    pub skip_preflight: bool,
    /// Return once the run is found.
    pub no_wait: bool,
}

impl RunSettings {
    /// The workflow's file name, which identifies it to the API (`ai-coach-live-e2e.yml`).
    pub fn workflow_file_name(&self) -> &str {
        self.workflow.rsplit('/').next().unwrap_or(&self.workflow)
    }
}

/// Checks the backend URL: absolute `http`/`https` with a host and no credentials. Returns it
/// trimmed, otherwise unchanged. Errors never repeat the URL (it might hold a credential).
pub fn validate_backend_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let example = "e.g. https://staging-api.example.com";
    let url = reqwest::Url::parse(trimmed)
        .map_err(|e| format!("the backend URL is not an absolute URL ({e}); {example}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the backend URL must use http or https, not `{}`; {example}",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("the backend URL has no host; {example}"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "the backend URL must not contain credentials (user:password@); the workflow input \
             is visible to everyone who can read the run"
                .to_string(),
        );
    }
    Ok(trimmed.to_string())
}

// ---------------------------------------------------------------------------------------------
// The API's shapes
// ---------------------------------------------------------------------------------------------

/// A workflow run, as the runs endpoints return it (the fields `run` uses).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WorkflowRun {
    /// The run id.
    pub id: u64,
    /// The run number shown in the Actions tab.
    #[serde(default)]
    pub run_number: u64,
    /// The attempt, from 1 (re-runs count up).
    #[serde(default)]
    pub run_attempt: Option<u64>,
    /// The branch.
    #[serde(default)]
    pub head_branch: Option<String>,
    /// The commit the run tests.
    #[serde(default)]
    pub head_sha: String,
    /// The event that started it (`workflow_dispatch`).
    #[serde(default)]
    pub event: String,
    /// `queued`, `in_progress`, `completed`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// `success`, `failure`, `cancelled`, ... once completed.
    #[serde(default)]
    pub conclusion: Option<String>,
    /// The run's page.
    #[serde(default)]
    pub html_url: String,
    /// When it was created (RFC 3339).
    #[serde(default)]
    pub created_at: String,
}

impl WorkflowRun {
    fn status(&self) -> &str {
        self.status.as_deref().unwrap_or("unknown")
    }

    fn completed(&self) -> bool {
        self.status() == "completed"
    }

    /// `run #N (id I[, attempt A], commit abcdef0) URL`, for a check line.
    pub fn describe(&self) -> String {
        let attempt = match self.run_attempt {
            Some(n) if n > 1 => format!(", attempt {n}"),
            _ => String::new(),
        };
        format!(
            "run #{} (id {}{attempt}, commit {}) {}",
            self.run_number,
            self.id,
            self.head_sha.get(..7).unwrap_or(&self.head_sha),
            self.html_url
        )
    }
}

/// A job of a run with its steps.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Job {
    /// The job id.
    pub id: u64,
    /// The job's name.
    #[serde(default)]
    pub name: String,
    /// `queued`, `in_progress`, `completed`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Once completed.
    #[serde(default)]
    pub conclusion: Option<String>,
    /// The steps, in order.
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// A step of a job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Step {
    /// The step's name.
    #[serde(default)]
    pub name: String,
    /// Its number in the job, from 1.
    #[serde(default)]
    pub number: u64,
    /// `queued`, `in_progress`, `completed`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Once completed.
    #[serde(default)]
    pub conclusion: Option<String>,
}

/// `completed (success)`, or the status alone while not completed.
fn state(status: Option<&str>, conclusion: Option<&str>) -> String {
    match (status.unwrap_or("unknown"), conclusion) {
        ("completed", Some(conclusion)) => conclusion.to_string(),
        (status, _) => status.replace('_', " "),
    }
}

// ---------------------------------------------------------------------------------------------
// Pure decisions
// ---------------------------------------------------------------------------------------------

/// The run the dispatch started, among `runs`: a `workflow_dispatch` run on `branch`, not in
/// `before` (the runs listed before dispatching), created at or after `since`; the earliest
/// such run when there are several.
pub fn pick_dispatched_run<'a>(
    runs: &'a [WorkflowRun],
    before: &BTreeSet<u64>,
    branch: &str,
    since: DateTime<Utc>,
) -> Option<&'a WorkflowRun> {
    runs.iter()
        .filter(|run| run.event == "workflow_dispatch")
        .filter(|run| run.head_branch.as_deref() == Some(branch))
        .filter(|run| !before.contains(&run.id))
        .filter_map(|run| {
            let created = DateTime::parse_from_rfc3339(&run.created_at)
                .ok()?
                .with_timezone(&Utc);
            (created >= since).then_some((created, run))
        })
        .min_by_key(|(created, run)| (*created, run.id))
        .map(|(_, run)| run)
}

/// What was last shown of a run, so each poll prints only what changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    run: Option<String>,
    jobs: BTreeMap<u64, String>,
    steps: BTreeMap<(u64, u64), String>,
}

impl Progress {
    /// The lines describing what changed since the last call: the run's state, each job's,
    /// and each step's once it starts or ends (queued steps are not shown).
    pub fn update(&mut self, run: &WorkflowRun, jobs: &[Job]) -> Vec<String> {
        let mut lines = Vec::new();
        for job in jobs {
            let job_name = one_line(&job.name, Spaces::Collapse, 120);
            let job_state = state(job.status.as_deref(), job.conclusion.as_deref());
            if self.jobs.get(&job.id) != Some(&job_state) {
                lines.push(format!("job `{job_name}`: {job_state}"));
                self.jobs.insert(job.id, job_state);
            }
            let total = job.steps.len();
            for step in &job.steps {
                let status = step.status.as_deref().unwrap_or("queued");
                if status == "queued" || status == "pending" || status == "waiting" {
                    continue;
                }
                let step_state = state(Some(status), step.conclusion.as_deref());
                let key = (job.id, step.number);
                if self.steps.get(&key) != Some(&step_state) {
                    lines.push(format!(
                        "  step {}/{total} `{}`: {step_state}",
                        step.number,
                        one_line(&step.name, Spaces::Collapse, 120)
                    ));
                    self.steps.insert(key, step_state);
                }
            }
        }
        let run_state = state(run.status.as_deref(), run.conclusion.as_deref());
        if self.run.as_deref() != Some(run_state.as_str()) {
            lines.push(format!("run #{}: {run_state}", run.run_number));
            self.run = Some(run_state);
        }
        lines
    }
}

/// The evidence read back from the status document after the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvidenceReadBack {
    /// The document's block is for the run's commit: its text, as in the document.
    Found {
        /// The block's text.
        block: String,
        /// Its `Result:` field, when one verdict.
        result: Option<String>,
    },
    /// The document's block is for another commit (the gate did not record this run).
    OtherCommit {
        /// The block's `Commit:` field.
        commit: Option<String>,
    },
    /// The document holds no evidence block.
    NoBlock,
    /// The document is not on the branch.
    NoDocument,
    /// The document could not be read.
    Unreadable(String),
}

/// Reads the evidence block of `document` and checks it is for `head_sha` (in full, or an
/// abbreviation of at least 7 characters).
pub fn evidence_for_commit(document: &str, head_sha: &str) -> EvidenceReadBack {
    let Some(parsed) = evidence::parse_block(document) else {
        return EvidenceReadBack::NoBlock;
    };
    if !evidence::is_for_commit(parsed.commit.as_deref().unwrap_or(""), head_sha) {
        return EvidenceReadBack::OtherCommit {
            commit: parsed.commit,
        };
    }
    let region =
        statusdoc::marked_region(document).or_else(|| statusdoc::evidence_section(document));
    let block = region
        .and_then(|r| document.get(r))
        .map(|text| {
            text.lines()
                .filter(|l| {
                    !l.contains(statusdoc::BEGIN_MARKER) && !l.contains(statusdoc::END_MARKER)
                })
                .collect::<Vec<_>>()
                .join("\n")
                .trim()
                .to_string()
        })
        .unwrap_or_default();
    EvidenceReadBack::Found {
        block,
        result: parsed.result.map(|v| v.as_str().to_string()),
    }
}

// ---------------------------------------------------------------------------------------------
// The API calls
// ---------------------------------------------------------------------------------------------

/// What went wrong dispatching or following the run.
#[derive(Debug, thiserror::Error)]
pub enum DispatchError {
    /// The workflow is not known to GitHub.
    #[error(
        "{call}: 404: workflow `{workflow}` was not found; it must be on the default branch and \
         have a `workflow_dispatch` trigger, and the token needs Actions: Read and write"
    )]
    WorkflowNotFound {
        /// The HTTP call.
        call: String,
        /// The workflow file name.
        workflow: String,
    },
    /// GitHub refused the dispatch (no `workflow_dispatch` trigger, unknown input, unknown ref).
    #[error(
        "{call}: {status} {message}: GitHub refused the dispatch; check that the workflow on \
         branch `{branch}` has `on: workflow_dispatch` with input `backend_url`, and that the \
         branch exists"
    )]
    Refused {
        /// The HTTP call.
        call: String,
        /// HTTP status.
        status: u16,
        /// GitHub's message.
        message: String,
        /// The branch.
        branch: String,
    },
    /// The run the dispatch started did not appear in time.
    #[error(
        "the run dispatched on branch `{branch}` did not appear in the runs of `{workflow}` \
         within {secs} s; look in the Actions tab (the dispatch itself was accepted)"
    )]
    RunNotFound {
        /// The workflow file name.
        workflow: String,
        /// The branch.
        branch: String,
        /// How long it was looked for.
        secs: u64,
    },
    /// Another API call failed.
    #[error("{0}")]
    GitHub(#[from] GitHubError),
}

/// What `run` prints: lines of its own, and untrusted text from the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Print {
    /// A line composed by `run` (names from GitHub reduced to one line).
    Line(String),
    /// Text taken from the repository (the preflight report, the evidence block).
    Untrusted(String),
}

/// How `run` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Preflight said NOT READY; nothing was dispatched.
    NotReady,
    /// `--no-wait`: the run was found and left to run.
    Started(WorkflowRun),
    /// The run completed.
    Completed {
        /// The run, as last read.
        run: WorkflowRun,
        /// The evidence read back.
        evidence: EvidenceReadBack,
    },
    /// The run was still going when `--timeout` ran out.
    TimedOut(WorkflowRun),
}

impl RunOutcome {
    /// 0 when the run completed with `success` (or was left running with `--no-wait`), else 1.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Started(_) => Exit::Success,
            Self::Completed { run, .. } if run.conclusion.as_deref() == Some("success") => {
                Exit::Success
            }
            _ => Exit::GateFailed,
        }
    }
}

/// Runs preflight (unless skipped), dispatches the workflow, finds its run, follows it and
/// reads the evidence back, printing through `out` as it goes.
///
/// `env` and `in_workflow` are handed to [`preflight::check`]. Waits go through the client's
/// sleeper; `--timeout` bounds the waits between polls.
pub async fn execute(
    client: &GitHubClient,
    settings: &RunSettings,
    env: &dyn Fn(&str) -> Option<String>,
    in_workflow: bool,
    out: &mut dyn FnMut(Print),
) -> Result<RunOutcome, DispatchError> {
    if !settings.skip_preflight {
        let report = run_preflight(client, settings, env, in_workflow).await;
        out(Print::Untrusted(report.render_text()));
        if !report.ready() {
            out(Print::Line(
                "NOT READY: the workflow was not dispatched (fix the FAIL lines, or pass \
                 --skip-preflight)"
                    .to_string(),
            ));
            return Ok(RunOutcome::NotReady);
        }
    }
    let repo = &settings.repository;
    let file_name = settings.workflow_file_name();
    let workflow_id = contents::encode_path(file_name)?;
    let runs_path = format!("{}/actions/workflows/{workflow_id}/runs", repo.api_path());
    let since = Utc::now() - CLOCK_SKEW;
    let before: BTreeSet<u64> = list_runs(client, &runs_path, &settings.branch, since)
        .await?
        .iter()
        .map(|r| r.id)
        .collect();

    let run_id = dispatch(client, settings, &workflow_id).await?;
    out(Print::Line(format!(
        "dispatched `{file_name}` on `{}` with backend_url {}",
        settings.branch,
        evidence::sanitize_backend_url(&settings.backend_url)
    )));
    let run = match run_id {
        Some(id) => get_run(client, repo, id).await?,
        None => find_run(client, settings, &runs_path, &before, since).await?,
    };
    out(Print::Line(format!("Run: {}", run.html_url)));
    if settings.no_wait {
        return Ok(RunOutcome::Started(run));
    }

    let mut progress = Progress::default();
    // Both the waits asked for (an injected sleeper returns at once) and the time really spent
    // count against the timeout, so a tiny interval cannot poll forever.
    let started = std::time::Instant::now();
    let mut waited = Duration::ZERO;
    let run = loop {
        let run = get_run(client, repo, run.id).await?;
        let jobs = list_jobs(client, repo, run.id).await?;
        for line in progress.update(&run, &jobs) {
            out(Print::Line(line));
        }
        if run.completed() {
            break run;
        }
        if waited.max(started.elapsed()) >= settings.timeout {
            out(Print::Line(format!(
                "gave up following after {} s; the run goes on: {}",
                settings.timeout.as_secs(),
                run.html_url
            )));
            return Ok(RunOutcome::TimedOut(run));
        }
        let wait = settings.poll_interval.max(Duration::from_millis(1));
        client.sleep(wait).await;
        waited += wait;
    };
    let evidence = read_evidence(client, settings, &run.head_sha).await;
    Ok(RunOutcome::Completed { run, evidence })
}

async fn run_preflight(
    client: &GitHubClient,
    settings: &RunSettings,
    env: &dyn Fn(&str) -> Option<String>,
    in_workflow: bool,
) -> CheckReport {
    let preflight_settings = preflight::PreflightSettings {
        repository: settings.repository.to_string(),
        branch: settings.branch.clone(),
        workflow: settings.workflow.clone(),
        secrets: preflight::DEFAULT_SECRETS.map(String::from).to_vec(),
        optional_secrets: preflight::DEFAULT_OPTIONAL_SECRETS
            .map(String::from)
            .to_vec(),
        migrations_dir: preflight::DEFAULT_MIGRATIONS_DIR.to_string(),
        base_branch: None,
    };
    preflight::check(client, &preflight_settings, env, in_workflow).await
}

/// The runs of the workflow on `branch` started by `workflow_dispatch` since `since`.
async fn list_runs(
    client: &GitHubClient,
    runs_path: &str,
    branch: &str,
    since: DateTime<Utc>,
) -> Result<Vec<WorkflowRun>, GitHubError> {
    #[derive(Deserialize)]
    struct Runs {
        #[serde(default)]
        workflow_runs: Vec<WorkflowRun>,
    }
    let request = ApiRequest::get(runs_path)
        .query("branch", branch)
        .query("event", "workflow_dispatch")
        .query(
            "created",
            format!(">={}", since.format("%Y-%m-%dT%H:%M:%SZ")),
        )
        .query("per_page", "30")
        .query("exclude_pull_requests", "true")
        .permission("actions: read");
    let runs: Runs = client.get_json(&request).await?;
    Ok(runs.workflow_runs)
}

/// Sends the dispatch; the run id when GitHub returns it (`return_run_details`).
async fn dispatch(
    client: &GitHubClient,
    settings: &RunSettings,
    workflow_id: &str,
) -> Result<Option<u64>, DispatchError> {
    let path = format!(
        "{}/actions/workflows/{workflow_id}/dispatches",
        settings.repository.api_path()
    );
    let body = |details: bool| {
        let mut body = serde_json::json!({
            "ref": settings.branch,
            "inputs": { "backend_url": settings.backend_url },
        });
        if details {
            body["return_run_details"] = serde_json::Value::Bool(true);
        }
        body
    };
    let send = |details: bool| {
        let request = ApiRequest::post(&path, body(details)).permission("actions: write");
        async move { client.send(&request).await }
    };
    let mut response = send(true).await?;
    if matches!(response.status, 400 | 422) && response.message.contains("return_run_details") {
        // Servers without run details (older GitHub Enterprise Server): dispatch plainly.
        response = send(false).await?;
    }
    match response.status {
        200 | 201 => {
            let id = response
                .json::<serde_json::Value>()
                .ok()
                .and_then(|v| v.get("workflow_run_id").and_then(|id| id.as_u64()));
            Ok(id)
        }
        204 => Ok(None),
        404 => Err(DispatchError::WorkflowNotFound {
            call: response.call,
            workflow: settings.workflow_file_name().to_string(),
        }),
        400 | 422 => Err(DispatchError::Refused {
            call: response.call,
            status: response.status,
            message: response.message,
            branch: settings.branch.clone(),
        }),
        _ => Err(response.into_error().into()),
    }
}

/// Looks for the run the dispatch started until it appears or the find timeout runs out.
async fn find_run(
    client: &GitHubClient,
    settings: &RunSettings,
    runs_path: &str,
    before: &BTreeSet<u64>,
    since: DateTime<Utc>,
) -> Result<WorkflowRun, DispatchError> {
    let interval = settings.poll_interval.min(FIND_POLL_CAP);
    let started = std::time::Instant::now();
    let mut waited = Duration::ZERO;
    loop {
        let runs = list_runs(client, runs_path, &settings.branch, since).await?;
        if let Some(run) = pick_dispatched_run(&runs, before, &settings.branch, since) {
            return Ok(run.clone());
        }
        if waited.max(started.elapsed()) >= settings.find_timeout {
            return Err(DispatchError::RunNotFound {
                workflow: settings.workflow_file_name().to_string(),
                branch: settings.branch.clone(),
                secs: settings.find_timeout.as_secs(),
            });
        }
        // Never spin: a zero interval still yields a millisecond to the server.
        let wait = interval.max(Duration::from_millis(1));
        client.sleep(wait).await;
        waited += wait;
    }
}

async fn get_run(
    client: &GitHubClient,
    repo: &Repository,
    id: u64,
) -> Result<WorkflowRun, GitHubError> {
    let request = ApiRequest::get(format!("{}/actions/runs/{id}", repo.api_path()))
        .permission("actions: read");
    client.get_json(&request).await
}

async fn list_jobs(
    client: &GitHubClient,
    repo: &Repository,
    id: u64,
) -> Result<Vec<Job>, GitHubError> {
    let request = ApiRequest::get(format!("{}/actions/runs/{id}/jobs", repo.api_path()))
        .query("filter", "latest")
        .query("per_page", "100")
        .permission("actions: read");
    let pages = client.paginate(&request, 5).await?;
    let mut jobs = Vec::new();
    for page in pages {
        if let Some(list) = page.get("jobs") {
            let parsed: Vec<Job> =
                serde_json::from_value(list.clone()).map_err(|e| GitHubError::Decode {
                    call: format!("GET {}/actions/runs/{id}/jobs", repo.api_path()),
                    reason: e.to_string(),
                })?;
            jobs.extend(parsed);
        }
    }
    Ok(jobs)
}

async fn read_evidence(
    client: &GitHubClient,
    settings: &RunSettings,
    head_sha: &str,
) -> EvidenceReadBack {
    let file = contents::get_file(
        client,
        &settings.repository,
        &settings.status_file,
        &settings.branch,
        "contents: read",
    )
    .await;
    match file {
        Ok(Some(file)) => evidence_for_commit(&String::from_utf8_lossy(&file.bytes), head_sha),
        Ok(None) => EvidenceReadBack::NoDocument,
        Err(err) => EvidenceReadBack::Unreadable(err.to_string()),
    }
}

/// The closing lines: the run URL, its conclusion, and the evidence read back.
pub fn closing(outcome: &RunOutcome, settings: &RunSettings) -> Vec<Print> {
    let mut lines = Vec::new();
    let (file, branch) = (&settings.status_file, &settings.branch);
    match outcome {
        RunOutcome::NotReady | RunOutcome::Started(_) => {}
        RunOutcome::TimedOut(run) => {
            lines.push(Print::Line(format!("Run: {}", run.html_url)));
            lines.push(Print::Line(format!(
                "Conclusion: none yet (status {})",
                run.status()
            )));
        }
        RunOutcome::Completed { run, evidence } => {
            lines.push(Print::Line(format!("Run: {}", run.html_url)));
            lines.push(Print::Line(format!(
                "Conclusion: {}",
                run.conclusion.as_deref().unwrap_or("unknown")
            )));
            let short = run.head_sha.get(..7).unwrap_or(&run.head_sha);
            match evidence {
                EvidenceReadBack::Found { block, .. } => {
                    lines.push(Print::Line(format!(
                        "Evidence recorded in `{file}` on `{branch}` for commit {short}:"
                    )));
                    lines.push(Print::Untrusted(block.clone()));
                }
                EvidenceReadBack::OtherCommit { commit } => {
                    lines.push(Print::Line(format!(
                        "No evidence for commit {short} in `{file}` on `{branch}` (its block is \
                         for {}); the gate records it with `commit: on-success` or `always`",
                        one_line(
                            commit.as_deref().unwrap_or("no commit"),
                            Spaces::Collapse,
                            80
                        )
                    )));
                }
                EvidenceReadBack::NoBlock => lines.push(Print::Line(format!(
                    "No evidence block in `{file}` on `{branch}`"
                ))),
                EvidenceReadBack::NoDocument => lines.push(Print::Line(format!(
                    "No evidence: `{file}` is not on `{branch}`"
                ))),
                EvidenceReadBack::Unreadable(reason) => lines.push(Print::Line(format!(
                    "Could not read the evidence back: {}",
                    one_line(reason, Spaces::Collapse, 300)
                ))),
            }
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_at(id: u64, created: &str, branch: &str, event: &str) -> WorkflowRun {
        WorkflowRun {
            id,
            run_number: id,
            run_attempt: None,
            head_branch: Some(branch.to_string()),
            head_sha: "0123456789abcdef0123456789abcdef01234567".to_string(),
            event: event.to_string(),
            status: Some("queued".to_string()),
            conclusion: None,
            html_url: format!("https://github.com/o/r/actions/runs/{id}"),
            created_at: created.to_string(),
        }
    }

    #[test]
    fn backend_urls_are_http_without_credentials() {
        assert!(validate_backend_url(" https://staging-api.example.com ").is_ok());
        assert!(validate_backend_url("http://127.0.0.1:3001/api").is_ok());
        assert!(validate_backend_url("ftp://x.example.com").is_err());
        assert!(validate_backend_url("staging-api.example.com").is_err());
        let err = validate_backend_url("https://admin:hunter2@x.example.com").unwrap_err();
        assert!(
            err.contains("credentials") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn the_earliest_new_dispatch_run_on_the_branch_is_ours() {
        let since = DateTime::parse_from_rfc3339("2026-02-09T14:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let runs = vec![
            run_at(9, "2026-02-09T14:00:09Z", "Aiupgrade", "workflow_dispatch"),
            run_at(5, "2026-02-09T14:00:05Z", "Aiupgrade", "workflow_dispatch"),
            run_at(4, "2026-02-09T14:00:04Z", "Aiupgrade", "push"),
            run_at(3, "2026-02-09T14:00:03Z", "main", "workflow_dispatch"),
            run_at(2, "2026-02-09T13:59:00Z", "Aiupgrade", "workflow_dispatch"),
            run_at(1, "2026-02-09T14:00:01Z", "Aiupgrade", "workflow_dispatch"),
        ];
        let before = BTreeSet::from([1]);
        let picked = pick_dispatched_run(&runs, &before, "Aiupgrade", since).unwrap();
        assert_eq!(picked.id, 5);
        assert!(pick_dispatched_run(&runs[2..], &before, "Aiupgrade", since).is_none());
    }

    #[test]
    fn progress_prints_only_changes() {
        let mut progress = Progress::default();
        let mut run = run_at(7, "2026-02-09T14:00:00Z", "b", "workflow_dispatch");
        let job = |status: &str, conclusion: Option<&str>, steps: Vec<Step>| Job {
            id: 1,
            name: "live-e2e".to_string(),
            status: Some(status.to_string()),
            conclusion: conclusion.map(String::from),
            steps,
        };
        let step = |n: u64, status: &str, conclusion: Option<&str>| Step {
            name: format!("step {n}"),
            number: n,
            status: Some(status.to_string()),
            conclusion: conclusion.map(String::from),
        };
        assert_eq!(progress.update(&run, &[]), vec!["run #7: queued"]);
        assert!(progress.update(&run, &[]).is_empty());
        run.status = Some("in_progress".into());
        let lines = progress.update(
            &run,
            &[job(
                "in_progress",
                None,
                vec![
                    step(1, "completed", Some("success")),
                    step(2, "queued", None),
                ],
            )],
        );
        assert_eq!(
            lines,
            vec![
                "job `live-e2e`: in progress",
                "  step 1/2 `step 1`: success",
                "run #7: in progress"
            ]
        );
        run.status = Some("completed".into());
        run.conclusion = Some("failure".into());
        let lines = progress.update(
            &run,
            &[job(
                "completed",
                Some("failure"),
                vec![
                    step(1, "completed", Some("success")),
                    step(2, "completed", Some("failure")),
                ],
            )],
        );
        assert_eq!(
            lines,
            vec![
                "job `live-e2e`: failure",
                "  step 2/2 `step 2`: failure",
                "run #7: failure"
            ]
        );
    }

    #[test]
    fn evidence_must_be_for_the_run_commit() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let doc = format!(
            "# Status\n\n{}\n### Staging Live Gate Evidence\n- Date: 2026-02-09 09:13 ET\n- Commit: {sha}\n\
             - Result: PASS\n{}\n",
            statusdoc::BEGIN_MARKER,
            statusdoc::END_MARKER
        );
        match evidence_for_commit(&doc, sha) {
            EvidenceReadBack::Found { block, result } => {
                assert!(
                    block.starts_with("### Staging Live Gate Evidence"),
                    "{block}"
                );
                assert!(!block.contains("itm-gate:evidence"), "{block}");
                assert_eq!(result.as_deref(), Some("PASS"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            evidence_for_commit(&doc, "ffff456789abcdef0123456789abcdef01234567"),
            EvidenceReadBack::OtherCommit { .. }
        ));
        assert_eq!(
            evidence_for_commit("# nothing", sha),
            EvidenceReadBack::NoBlock
        );
    }
}
