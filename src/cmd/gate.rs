//! The `gate` command end to end: read the reports and logs, decide, write what the runner
//! shows, and record the evidence.
//!
//! The deciding is done by pure functions ([`crate::verdict`], [`crate::gate`],
//! [`crate::outcome`], [`crate::evidence`], [`crate::summary`]); this module is the edge that
//! reads the environment, writes the runner's files and calls the GitHub API, in this order:
//!
//! 1. settings (a bad input stops here with exit 2);
//! 2. reports, streamed into per-spec tallies, their texts into the log scanner
//!    ([`crate::collect`]);
//! 3. log files;
//! 4. verdicts and the gate decision;
//! 5. evidence block, outputs, job summary, annotations, `evidence-file` (nothing is lost
//!    whatever the network does next);
//! 6. the evidence commit.

use chrono::Utc;

use crate::collect::{RunContext, RunData, read_reports};
use crate::config::{GateInputs, GateSettings};
use crate::evidence;
use crate::exit::Exit;
use crate::gate::{GateDecision, GateResult};
use crate::github::{self, GitHubClient, RecordOutcome, RecordRequest};
use crate::logscan::{Finding, Findings, RuleSet, Scanner};
use crate::outcome::{GateOutcome, SummarySpecs, annotations, outputs_note, plan_outputs};
use crate::redact::Redactor;
use crate::runner::{self, OutputFile, env_value as env};
use crate::statusdoc;
use crate::summary::{self, SummaryView};

/// Flags of the `gate` command; every flag is also an action input of the same name.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Args {
    /// Playwright JSON reports: paths or globs, one per line or comma-separated (shards are combined).
    #[arg(long)]
    pub results: Option<String>,
    /// Required spec files, repository-relative, one per line.
    #[arg(long)]
    pub specs: Option<String>,
    /// Folder the report's paths are relative to, repository-relative (default: from the report).
    #[arg(long)]
    pub test_dir: Option<String>,
    /// `true`: a skipped test in a required spec fails it unless `allow-skip` matches its reason.
    #[arg(long)]
    pub strict: Option<String>,
    /// Regular expressions, one per line, for skip reasons acceptable even in strict mode.
    #[arg(long)]
    pub allow_skip: Option<String>,
    /// `pass` or `fail`: what a test that passed only on retry does to its spec.
    #[arg(long)]
    pub flaky: Option<String>,
    /// Log files to scan: paths or globs, one per line or comma-separated.
    #[arg(long)]
    pub logs: Option<String>,
    /// JSON file of extra log rules.
    #[arg(long)]
    pub log_rules: Option<String>,
    /// The backend the run tested (shown in the evidence, credentials and query removed;
    /// default: `E2E_BACKEND_URL`).
    #[arg(long)]
    pub backend_url: Option<String>,
    /// Status of the job's earlier steps (`${{ job.status }}`) or of the test job
    /// (`${{ needs.<job>.result }}`): `success`, `failure`, `cancelled` or `skipped`.
    #[arg(long)]
    pub job_status: Option<String>,
    /// Document that receives the evidence, repository-relative.
    #[arg(long)]
    pub status_file: Option<String>,
    /// `on-success`, `always` or `never`: when to commit the evidence.
    #[arg(long)]
    pub commit: Option<String>,
    /// Branch that receives the evidence commit (default: the branch under test).
    #[arg(long)]
    pub branch: Option<String>,
    /// Token for the GitHub API (default: the `token` input, else `GITHUB_TOKEN`).
    #[arg(long)]
    pub token: Option<String>,
    /// IANA zone of the evidence date (`ET` label for America/New_York).
    #[arg(long)]
    pub timezone: Option<String>,
    /// `true`: exit non-zero when the gate fails.
    #[arg(long)]
    pub fail_on_gate: Option<String>,
    /// Also write the evidence block to this file (inside the workspace).
    #[arg(long)]
    pub evidence_file: Option<String>,
    /// `true`: do everything but write to GitHub; print the status-document change instead.
    #[arg(long)]
    pub dry_run: Option<String>,
    /// Link to the run's Playwright HTML report and traces (e.g. the `artifact-url` output of
    /// `actions/upload-artifact`), shown at the top of the job summary and beside each failure.
    #[arg(long)]
    pub report_url: Option<String>,
}

impl From<Args> for GateInputs {
    fn from(args: Args) -> GateInputs {
        GateInputs {
            results: args.results,
            specs: args.specs,
            test_dir: args.test_dir,
            strict: args.strict,
            allow_skip: args.allow_skip,
            flaky: args.flaky,
            logs: args.logs,
            log_rules: args.log_rules,
            backend_url: args.backend_url,
            job_status: args.job_status,
            status_file: args.status_file,
            commit: args.commit,
            branch: args.branch,
            token: args.token,
            timezone: args.timezone,
            fail_on_gate: args.fail_on_gate,
            evidence_file: args.evidence_file,
            dry_run: args.dry_run,
            report_url: args.report_url,
        }
    }
}

/// Runs the `gate` command and returns its exit code.
pub fn run(args: Args) -> Exit {
    let settings = match GateSettings::resolve(args.into()) {
        Ok(settings) => settings,
        Err(err) => {
            runner::eprint_line(&format!("itm-gate: {err}"));
            return Exit::Usage;
        }
    };
    let rules = match &settings.log_rules {
        None => RuleSet::builtin(),
        Some(path) => match RuleSet::builtin().with_rules_file(path) {
            Ok(rules) => rules,
            Err(err) => {
                runner::eprint_line(&format!("itm-gate: input `log-rules`: {err}"));
                return Exit::Usage;
            }
        },
    };
    let redactor = Redactor::from_env(settings.token.as_deref());
    crate::redact::install(redactor.clone());
    let scanner = Scanner::new(rules, redactor.clone());
    let context = run_context();

    // Read.
    let mut findings = Findings::new();
    let data = read_reports(&settings, &context, &scanner, &mut findings);
    scanner.scan_paths(&settings.logs, &settings.workspace, &mut findings);

    // Decide.
    let outcome = GateOutcome::decide(
        &settings,
        &data,
        &findings,
        &context,
        runner::in_github_actions(),
        Utc::now(),
    );
    let block = redactor
        .redact(&evidence::render(&outcome.evidence))
        .into_owned();

    // Write what the runner shows; nothing below may lose the evidence.
    let mut exit = report_locally(
        &settings, &context, &redactor, &outcome, &data, &findings, &block,
    );

    // Record. `commit-sha` and `commit-url` are empty unless a commit is made.
    if let Some(mut outputs) = OutputFile::from_env() {
        for name in ["commit-sha", "commit-url"] {
            if let Err(err) = outputs.set(name, "") {
                runner::eprint_line(&format!("itm-gate: cannot write output `{name}`: {err}"));
                exit = Exit::Internal;
            }
        }
    }
    if let Some(commit_exit) = record(&settings, &context, &redactor, &outcome.decision, &block) {
        exit = commit_exit;
    } else if outcome.decision.result == GateResult::Fail
        && settings.fail_on_gate
        && exit == Exit::Success
    {
        exit = Exit::GateFailed;
    }
    exit
}

/// The run's facts, from the runner's `GITHUB_*` variables and the event file.
fn run_context() -> RunContext {
    RunContext {
        sha: pull_request_head_sha().or_else(|| env("GITHUB_SHA")),
        server_url: env("GITHUB_SERVER_URL"),
        repository: env("GITHUB_REPOSITORY"),
        run_id: env("GITHUB_RUN_ID"),
        run_attempt: env("GITHUB_RUN_ATTEMPT"),
        runner_workspace: env("RUNNER_WORKSPACE"),
    }
}

/// For pull-request events `GITHUB_SHA` is a merge commit; the commit under test is the head.
fn pull_request_head_sha() -> Option<String> {
    let event = env("GITHUB_EVENT_NAME")?;
    if !event.starts_with("pull_request") {
        return None;
    }
    let payload = std::fs::read(env("GITHUB_EVENT_PATH")?).ok()?;
    let value: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    value
        .pointer("/pull_request/head/sha")?
        .as_str()
        .map(str::to_string)
}

/// Writes outputs, the job summary, annotations, the evidence file and the log lines.
///
/// Nothing here grows with the number of spec files: the log lines are printed in chunks, the
/// outputs are planned within GitHub's limit ([`crate::outputs`]) and the summary gets at most
/// [`MAX_SUMMARY_SPECS`] spec files; what they leave out is said in a note.
#[allow(clippy::too_many_arguments)]
fn report_locally(
    settings: &GateSettings,
    context: &RunContext,
    redactor: &Redactor,
    outcome: &GateOutcome<'_>,
    data: &RunData,
    findings: &Findings,
    block: &str,
) -> Exit {
    let mut exit = Exit::Success;
    let decision = &outcome.decision;
    let verdicts = &outcome.verdicts;
    let totals = outcome.totals;
    let kept: Vec<Finding> = findings.iter().cloned().collect();
    let mut notes = decision.notes.clone();

    // Outputs and summary are chosen first, so the log and the summary can say what they
    // leave out.
    let output_file = OutputFile::from_env();
    let planned = output_file
        .as_ref()
        .map(|_| plan_outputs(outcome, &kept, findings, block, redactor));
    if let Some(note) = planned.as_ref().and_then(outputs_note) {
        notes.push(note);
    }
    let summary_path = runner::summary_path_from_env();
    let summary_specs = summary_path
        .as_ref()
        .map(|_| SummarySpecs::choose(verdicts, &data.tallies));
    if let Some(note) = summary_specs.as_ref().and_then(SummarySpecs::note) {
        notes.push(note);
    }

    // Log lines, printed in chunks of whole lines.
    println!("itm-gate: {}", decision.result);
    let mut log = ChunkedLog::new(redactor);
    for reason in &outcome.short_reasons {
        log.line(format_args!("  reason: {reason}"));
    }
    for note in &notes {
        log.line(format_args!("  note: {note}"));
    }
    for spec in verdicts.in_display_order() {
        log.line(format_args!(
            "  {} {}{}: {} passed, {} failed, {} flaky, {} skipped ({} did not run)",
            spec.verdict,
            spec.file,
            if spec.required { " (required)" } else { "" },
            spec.passed,
            spec.failed,
            spec.flaky,
            spec.skipped,
            spec.did_not_run
        ));
    }
    for finding in &kept {
        log.line(format_args!(
            "  finding: {} {} at {}: {}",
            finding.severity,
            finding.rule,
            finding.place(),
            finding.excerpt
        ));
    }
    log.flush();
    runner::print_untrusted(&format!("\n{block}"));

    // Evidence file first: the cheapest place the evidence survives.
    if let Some(path) = &settings.evidence_file {
        // Never through a link: a new file renamed into place (the path was checked to stay
        // inside the workspace when the settings were read).
        let written = crate::paths::write_replacing(path, block.as_bytes());
        if let Err(err) = written {
            runner::eprint_line(&format!(
                "itm-gate: cannot write `evidence-file` {}: {err}",
                path.display()
            ));
            exit = Exit::Internal;
        }
    }

    // Outputs.
    if let (Some(mut outputs), Some(planned)) = (output_file, planned) {
        for (name, value) in &planned.values {
            if let Err(err) = outputs.set(name, value) {
                runner::eprint_line(&format!("itm-gate: cannot write output `{name}`: {err}"));
                exit = Exit::Internal;
            }
        }
    }

    // Job summary.
    if let (Some(path), Some(chosen)) = (summary_path, summary_specs) {
        let view = SummaryView {
            result: decision.result,
            reasons: &outcome.short_reasons,
            notes: &notes,
            specs: &chosen.specs,
            tallies: &chosen.tallies,
            groups: &outcome.groups,
            findings: &kept,
            findings_omitted: findings.omitted(),
            evidence: block,
            blob_base: context.blob_base(),
            report_url: settings.report_url.as_deref(),
            totals,
        };
        let (full, fallback) = summary::render(&view);
        let full = redactor.redact(&full);
        let fallback = redactor.redact(&fallback);
        if let Err(err) = runner::write_summary(&path, &full, &fallback) {
            runner::eprint_line(&format!("itm-gate: cannot write the job summary: {err}"));
            exit = Exit::Internal;
        }
    }

    // Annotations.
    if runner::in_github_actions() {
        let dropped = runner::print_annotations(annotations(
            decision,
            &outcome.short_reasons,
            &outcome.groups,
            data,
            findings,
            redactor,
        ));
        if dropped.total() > 0 {
            runner::print_line(&format!(
                "itm-gate: {} more annotations were left out (GitHub shows at most {} per kind and step); see the job summary",
                dropped.total(),
                runner::ANNOTATIONS_PER_LEVEL
            ));
        }
    }
    exit
}

/// Untrusted log lines, redacted and printed in chunks of whole lines, so a run with 100,000
/// spec files never builds its whole log in memory.
struct ChunkedLog<'a> {
    redactor: &'a Redactor,
    buffer: String,
}

impl<'a> ChunkedLog<'a> {
    /// Bytes gathered before a chunk is printed.
    const CHUNK: usize = 64 * 1024;

    fn new(redactor: &'a Redactor) -> ChunkedLog<'a> {
        ChunkedLog {
            redactor,
            buffer: String::new(),
        }
    }

    fn line(&mut self, line: std::fmt::Arguments<'_>) {
        use std::fmt::Write as _;
        let _ = writeln!(self.buffer, "{line}");
        if self.buffer.len() >= Self::CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if !self.buffer.is_empty() {
            runner::print_untrusted(&self.redactor.redact(&self.buffer));
            self.buffer.clear();
        }
    }
}

/// Commits (or shows) the evidence as the `commit` and `dry-run` inputs say.
/// Returns an exit code only when recording failed.
fn record(
    settings: &GateSettings,
    context: &RunContext,
    redactor: &Redactor,
    decision: &GateDecision,
    block: &str,
) -> Option<Exit> {
    if !settings
        .commit
        .should_commit(decision.result == GateResult::Pass)
    {
        runner::print_line(&format!(
            "itm-gate: evidence not committed (commit: {}, result: {})",
            settings.commit, decision.result
        ));
        return None;
    }
    let update =
        |document: Option<&str>| statusdoc::apply_evidence(document.unwrap_or(""), block).0;
    let remote = settings.token.is_some() && context.repository.is_some();
    if !remote {
        if runner::in_github_actions() {
            runner::eprint_line(&format!(
                "itm-gate: cannot commit the evidence: {} (set the `token` input, default `${{{{ github.token }}}}`)",
                if settings.token.is_none() {
                    "no token"
                } else {
                    "GITHUB_REPOSITORY is not set"
                }
            ));
            return Some(Exit::GitHub);
        }
        // Local run without GitHub: show the change against the workspace copy.
        // The status file was checked to resolve inside the workspace; only a regular file is
        // read.
        let local = settings.workspace.join(&settings.status_file);
        let current = crate::paths::open_regular(&local)
            .ok()
            .and_then(|mut file| {
                let mut text = String::new();
                std::io::Read::read_to_string(&mut file, &mut text).ok()?;
                Some(text)
            });
        let new = update(current.as_deref());
        if current.as_deref() == Some(new.as_str()) {
            runner::print_line(&format!(
                "itm-gate: {} already holds this evidence",
                settings.status_file
            ));
        } else {
            runner::print_line(&format!(
                "itm-gate: no token or repository, so nothing is committed; the change to {} would be:",
                settings.status_file
            ));
            runner::print_untrusted(&redactor.redact(&statusdoc::unified_diff(
                &settings.status_file,
                current.as_deref().unwrap_or(""),
                &new,
            )));
        }
        return None;
    }
    let token = settings.token.as_deref().unwrap_or_default();
    let repository = context.repository.clone().unwrap_or_default();
    let branch =
        match crate::settings::resolve_branch(settings.branch.as_deref(), &|name| env(name)) {
            Ok(branch) => branch,
            Err(err) => {
                runner::eprint_line(&format!("itm-gate: {}", redactor.redact(&err.to_string())));
                return Some(Exit::GitHub);
            }
        };
    let request = RecordRequest {
        repository,
        branch,
        path: settings.status_file.clone(),
        message: github::commit_message(
            context.sha.as_deref().unwrap_or("unknown"),
            context.run_id.as_deref(),
        ),
        dry_run: settings.dry_run,
    };
    let outcome = GitHubClient::from_env(token)
        .and_then(|client| github::block_on(github::record_evidence(&client, &request, &update))?);
    match outcome {
        Ok(RecordOutcome::Committed { sha, url }) => {
            runner::print_line(&format!(
                "itm-gate: evidence committed to {} on {}: {url}",
                request.path, request.branch
            ));
            if let Some(mut outputs) = OutputFile::from_env() {
                let written = outputs
                    .set("commit-sha", &sha)
                    .and_then(|()| outputs.set("commit-url", &url));
                if let Err(err) = written {
                    runner::eprint_line(&format!(
                        "itm-gate: cannot write the commit outputs: {err}"
                    ));
                    return Some(Exit::Internal);
                }
            }
            None
        }
        Ok(RecordOutcome::Unchanged) => {
            runner::print_line(&format!(
                "itm-gate: {} on {} already holds this evidence; nothing to commit",
                request.path, request.branch
            ));
            None
        }
        Ok(RecordOutcome::DryRun { diff }) => {
            runner::print_line(&format!(
                "itm-gate: dry run: the evidence commit would change {} on {}:",
                request.path, request.branch
            ));
            runner::print_untrusted(&redactor.redact(&diff));
            None
        }
        Err(err) => {
            runner::eprint_line(&format!(
                "itm-gate: the gate result is {}, but the evidence was NOT committed: {}",
                decision.result,
                redactor.redact(&err.to_string())
            ));
            Some(Exit::GitHub)
        }
    }
}
