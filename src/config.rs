//! Settings of the `gate` command, from flags and `INPUT_*` variables (a flag wins).
//!
//! Every action input of DESIGN.md section 3 is also a `--<name>` flag. Values are trimmed and
//! an empty value means unset, as `@actions/core` does. Everything is validated here, before any
//! work, so a bad input is a usage error (exit 2) that names the input.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use regex::Regex;

use crate::evidence::parse_timezone;
use crate::github::CommitMode;
use crate::paths::normalize;
use crate::runner;
use crate::settings::{self, lines, list, setting};

/// The required specs when the `specs` input is not set: the runbook's two live specs.
pub const DEFAULT_SPECS: [&str; 2] = [
    "e2e/specs/ai-coach/ai-coach-api.spec.ts",
    "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
];

/// Skip reasons acceptable in strict mode by default: the two WebSocket capability probes.
pub const DEFAULT_ALLOW_SKIP: [&str; 2] = [
    r"^Live backend websocket auth gate is not yet enforced at ",
    r"^Live backend websocket authz capability not yet deployed at ",
];

/// Where Playwright's JSON reporter writes in the users' configuration.
pub const DEFAULT_RESULTS: &str = "test-results/results.json";

/// The users' status document.
pub const DEFAULT_STATUS_FILE: &str = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";

/// The zone of the evidence date.
pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// What a test that passed only on retry does to its spec (the `flaky` input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlakyPolicy {
    /// A flaky test counts as passed (noted).
    Pass,
    /// A flaky test fails its spec.
    Fail,
}

/// How the steps before the gate ended (the `job-status` input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    /// `success`: the gate decides on the reports alone.
    Success,
    /// `failure`: an earlier step failed.
    Failure,
    /// `cancelled`: the run was cancelled.
    Cancelled,
    /// `skipped`: the test job did not run (`needs.<job>.result` in a two-job workflow).
    Skipped,
    /// Empty outside GitHub Actions: a local run, where there is no job to ask.
    NotGivenLocally,
    /// Empty inside GitHub Actions: a wiring mistake (`job-status` set to an expression that is
    /// empty, such as `needs.<job>.result` naming a job that is not in `needs`).
    EmptyInActions,
}

impl JobStatus {
    /// Parses the input: one of the four words (any case); empty (`None`) means
    /// [`JobStatus::EmptyInActions`] inside GitHub Actions and [`JobStatus::NotGivenLocally`]
    /// elsewhere. `None` for any other word.
    pub fn parse(value: Option<&str>, in_actions: bool) -> Option<JobStatus> {
        let Some(value) = value else {
            return Some(if in_actions {
                JobStatus::EmptyInActions
            } else {
                JobStatus::NotGivenLocally
            });
        };
        match value.to_ascii_lowercase().as_str() {
            "success" => Some(JobStatus::Success),
            "failure" => Some(JobStatus::Failure),
            "cancelled" => Some(JobStatus::Cancelled),
            "skipped" => Some(JobStatus::Skipped),
            _ => None,
        }
    }
}

/// Validated settings of one `gate` run.
#[derive(Debug, Clone)]
pub struct GateSettings {
    /// The checkout: `GITHUB_WORKSPACE`, else the current folder.
    pub workspace: PathBuf,
    /// Report paths or globs.
    pub results: Vec<String>,
    /// Required spec files, normalized repository paths, in input order.
    pub specs: Vec<String>,
    /// Fixed test folder (`test-dir`), normalized.
    pub test_dir: Option<String>,
    /// Strict mode.
    pub strict: bool,
    /// Compiled `allow-skip` expressions.
    pub allow_skip: Vec<Regex>,
    /// The `flaky` input.
    pub flaky: FlakyPolicy,
    /// Log paths or globs.
    pub logs: Vec<String>,
    /// Extra log rules file.
    pub log_rules: Option<PathBuf>,
    /// The backend URL as given.
    pub backend_url: Option<String>,
    /// `success`, `failure`, `cancelled` or `skipped` (lower-cased), `None` when empty.
    pub job_status: Option<String>,
    /// Status document, normalized repository path.
    pub status_file: String,
    /// When to commit.
    pub commit: CommitMode,
    /// Branch for the commit (the input; resolution against the environment happens later).
    pub branch: Option<String>,
    /// Token for the API; never printed.
    pub token: Option<String>,
    /// Zone of the evidence date.
    pub timezone: Tz,
    /// Exit non-zero on a failed gate.
    pub fail_on_gate: bool,
    /// Where to write the evidence block as well, absolute, inside the workspace.
    pub evidence_file: Option<PathBuf>,
    /// Do not write to GitHub.
    pub dry_run: bool,
    /// The `report-url` input: an `http`/`https` link to the HTML report and traces.
    pub report_url: Option<String>,
}

/// An input with a value the gate cannot use. Every message names the input.
#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    /// A value outside the allowed words.
    #[error("input `{input}` is `{value}`; expected {expected}")]
    Invalid {
        /// The input name.
        input: &'static str,
        /// The value given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// A regular expression that does not compile.
    #[error(
        "input `allow-skip`, line {line}: `{pattern}` is not a valid regular expression: {detail}"
    )]
    BadRegex {
        /// 1-based line of the input.
        line: usize,
        /// The expression.
        pattern: String,
        /// The regex crate's explanation.
        detail: String,
    },
    /// A path that would leave the workspace.
    #[error(
        "input `{input}` is `{value}`, which resolves outside the workspace {workspace}; use a path inside the repository"
    )]
    OutsideWorkspace {
        /// The input name.
        input: &'static str,
        /// The value given.
        value: String,
        /// The workspace folder.
        workspace: String,
    },
    /// A path whose symbolic links lead outside the workspace (or loop).
    #[error(
        "input `{input}` is `{value}`, which is refused: {reason} {workspace}; use a path inside the repository that is not a link leading out of it"
    )]
    LinkOutside {
        /// The input name.
        input: &'static str,
        /// The value given.
        value: String,
        /// Where the links lead.
        reason: String,
        /// The workspace folder.
        workspace: String,
    },
    /// The current folder cannot be read.
    #[error(
        "cannot determine the workspace (GITHUB_WORKSPACE is unset and the current folder is unreadable): {0}"
    )]
    NoWorkspace(std::io::Error),
}

/// Parses a boolean input ([`settings::boolean`]); unset is `default`.
fn boolean(input: &'static str, value: Option<String>, default: bool) -> Result<bool, UsageError> {
    match value.as_deref() {
        None => Ok(default),
        Some(word) => settings::boolean(word).ok_or_else(|| UsageError::Invalid {
            input,
            value: word.to_string(),
            expected: "true or false",
        }),
    }
}

/// The gate's inputs as given (a flag, else unset); [`GateSettings::resolve`] falls back to
/// `INPUT_*` and the defaults. Each field is the action input of the same name (`_` for `-`).
#[derive(Debug, Default, Clone)]
pub struct GateInputs {
    /// The `results` input.
    pub results: Option<String>,
    /// The `specs` input.
    pub specs: Option<String>,
    /// The `test-dir` input.
    pub test_dir: Option<String>,
    /// The `strict` input.
    pub strict: Option<String>,
    /// The `allow-skip` input.
    pub allow_skip: Option<String>,
    /// The `flaky` input.
    pub flaky: Option<String>,
    /// The `logs` input.
    pub logs: Option<String>,
    /// The `log-rules` input.
    pub log_rules: Option<String>,
    /// The `backend-url` input.
    pub backend_url: Option<String>,
    /// The `job-status` input.
    pub job_status: Option<String>,
    /// The `status-file` input.
    pub status_file: Option<String>,
    /// The `commit` input.
    pub commit: Option<String>,
    /// The `branch` input.
    pub branch: Option<String>,
    /// The `token` input.
    pub token: Option<String>,
    /// The `timezone` input.
    pub timezone: Option<String>,
    /// The `fail-on-gate` input.
    pub fail_on_gate: Option<String>,
    /// The `evidence-file` input.
    pub evidence_file: Option<String>,
    /// The `dry-run` input.
    pub dry_run: Option<String>,
    /// The `report-url` input.
    pub report_url: Option<String>,
}

impl GateSettings {
    /// Resolves and validates every setting (flags, then `INPUT_*`, then defaults).
    pub fn resolve(args: GateInputs) -> Result<GateSettings, UsageError> {
        let workspace = match std::env::var_os("GITHUB_WORKSPACE").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => std::env::current_dir().map_err(UsageError::NoWorkspace)?,
        };

        let results = setting(args.results.as_deref(), "results")
            .map(|v| list(&v))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| vec![DEFAULT_RESULTS.to_string()]);
        let specs = setting(args.specs.as_deref(), "specs")
            .map(|v| lines(&v))
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| DEFAULT_SPECS.iter().map(|s| s.to_string()).collect())
            .iter()
            .map(|s| normalize(s))
            .collect();
        let test_dir = setting(args.test_dir.as_deref(), "test-dir").map(|d| normalize(&d));
        let strict = boolean("strict", setting(args.strict.as_deref(), "strict"), true)?;
        let allow_skip = match setting(args.allow_skip.as_deref(), "allow-skip") {
            Some(value) => lines(&value),
            None => DEFAULT_ALLOW_SKIP.iter().map(|s| s.to_string()).collect(),
        };
        let allow_skip = allow_skip
            .iter()
            .enumerate()
            .map(|(i, pattern)| {
                Regex::new(pattern).map_err(|e| UsageError::BadRegex {
                    line: i + 1,
                    pattern: pattern.clone(),
                    detail: e
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let flaky = match setting(args.flaky.as_deref(), "flaky").as_deref() {
            None | Some("pass") => FlakyPolicy::Pass,
            Some("fail") => FlakyPolicy::Fail,
            Some(other) => {
                return Err(UsageError::Invalid {
                    input: "flaky",
                    value: other.to_string(),
                    expected: "pass or fail",
                });
            }
        };
        let logs = setting(args.logs.as_deref(), "logs")
            .map(|v| list(&v))
            .unwrap_or_default();
        let log_rules = setting(args.log_rules.as_deref(), "log-rules").map(|p| workspace.join(p));
        // The users' job sets E2E_BACKEND_URL for the tests; a container action sees it too.
        let backend_url = setting(args.backend_url.as_deref(), "backend-url")
            .or_else(|| runner::env_value("E2E_BACKEND_URL"));
        let job_status_input = setting(args.job_status.as_deref(), "job-status");
        if let Some(value) = &job_status_input
            && JobStatus::parse(Some(value), false).is_none()
        {
            return Err(UsageError::Invalid {
                input: "job-status",
                value: value.clone(),
                expected: "success, failure, cancelled or skipped (`${{ job.status }}`, or `${{ needs.<job>.result }}` in a two-job workflow)",
            });
        }
        let job_status = job_status_input.map(|v| v.to_ascii_lowercase());
        let status_file_input = setting(args.status_file.as_deref(), "status-file")
            .unwrap_or_else(|| DEFAULT_STATUS_FILE.into());
        let status_file = repository_path("status-file", &status_file_input, &workspace)?;
        local_path_inside("status-file", &status_file_input, &workspace)?;
        let commit = match setting(args.commit.as_deref(), "commit") {
            None => CommitMode::OnSuccess,
            Some(value) => value.parse().map_err(|_| UsageError::Invalid {
                input: "commit",
                value,
                expected: "on-success, always or never",
            })?,
        };
        let branch = setting(args.branch.as_deref(), "branch");
        let token = crate::settings::token(args.token.as_deref());
        let timezone_name = setting(args.timezone.as_deref(), "timezone")
            .unwrap_or_else(|| DEFAULT_TIMEZONE.into());
        let timezone = parse_timezone(&timezone_name).map_err(|_| UsageError::Invalid {
            input: "timezone",
            value: timezone_name,
            expected: "an IANA time zone name such as America/New_York",
        })?;
        let fail_on_gate = boolean(
            "fail-on-gate",
            setting(args.fail_on_gate.as_deref(), "fail-on-gate"),
            true,
        )?;
        let evidence_file = match setting(args.evidence_file.as_deref(), "evidence-file") {
            None => None,
            Some(value) => Some(local_path_inside("evidence-file", &value, &workspace)?),
        };
        let dry_run = boolean(
            "dry-run",
            setting(args.dry_run.as_deref(), "dry-run"),
            false,
        )?;
        let report_url = match setting(args.report_url.as_deref(), "report-url") {
            None => None,
            Some(url) if is_web_link(&url) => Some(url),
            Some(url) => {
                return Err(UsageError::Invalid {
                    input: "report-url",
                    value: url,
                    expected: "an http or https URL without spaces, such as the `artifact-url` output of actions/upload-artifact",
                });
            }
        };

        Ok(GateSettings {
            workspace,
            results,
            specs,
            test_dir,
            strict,
            allow_skip,
            flaky,
            logs,
            log_rules,
            backend_url,
            job_status,
            status_file,
            commit,
            branch,
            token,
            timezone,
            fail_on_gate,
            evidence_file,
            dry_run,
            report_url,
        })
    }
}

/// A repository-relative path that stays inside the repository (for the contents API).
fn repository_path(
    input: &'static str,
    value: &str,
    workspace: &Path,
) -> Result<String, UsageError> {
    let outside = || UsageError::OutsideWorkspace {
        input,
        value: value.to_string(),
        workspace: workspace.display().to_string(),
    };
    let relative = match Path::new(value).strip_prefix(workspace) {
        Ok(rest) => rest.to_string_lossy().to_string(),
        Err(_) if Path::new(value).is_absolute() => return Err(outside()),
        Err(_) => value.to_string(),
    };
    let normalized = normalize(&relative);
    if normalized.is_empty() || normalized.starts_with("..") {
        return Err(outside());
    }
    Ok(normalized)
}

/// A workspace file the gate reads or writes (`status-file`, `evidence-file`): a repository
/// path (see [`repository_path`]) that also resolves inside the workspace when every symbolic
/// link on its way is followed, dangling ones included ([`crate::paths::resolve_inside`]).
/// Returns the path in the workspace (not the link's target: writes replace a final link).
fn local_path_inside(
    input: &'static str,
    value: &str,
    workspace: &Path,
) -> Result<PathBuf, UsageError> {
    let relative = repository_path(input, value, workspace)?;
    crate::paths::resolve_inside(workspace, Path::new(&relative)).map_err(|escape| {
        UsageError::LinkOutside {
            input,
            value: value.to_string(),
            reason: escape.to_string(),
            workspace: workspace.display().to_string(),
        }
    })?;
    Ok(workspace.join(&relative))
}

/// Whether `url` can be a link in the job summary: `http(s)://` and a host, no whitespace, no
/// characters that could end a Markdown link or start HTML.
fn is_web_link(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('/')
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "<>\"`()[]\\".contains(c))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_inputs_split_like_the_docs_say() {
        assert_eq!(
            list("a.json, b.json\n c/*.json\n"),
            vec!["a.json", "b.json", "c/*.json"]
        );
        assert_eq!(lines("^x{1,2}$\n\n y "), vec!["^x{1,2}$", "y"]);
    }

    #[test]
    fn status_file_must_stay_inside_the_repository() {
        let ws = Path::new("/github/workspace");
        assert_eq!(
            repository_path("status-file", "./docs/a.md", ws).unwrap(),
            "docs/a.md"
        );
        assert_eq!(
            repository_path("status-file", "/github/workspace/docs/a.md", ws).unwrap(),
            "docs/a.md"
        );
        assert!(repository_path("status-file", "../other/a.md", ws).is_err());
        assert!(repository_path("status-file", "/etc/passwd", ws).is_err());
        assert!(repository_path("status-file", "docs/../../a.md", ws).is_err());
    }

    #[test]
    fn evidence_file_cannot_escape_through_a_symlink() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), ws.path().join("link")).unwrap();
        assert!(local_path_inside("evidence-file", "link/evidence.md", ws.path()).is_err());
        assert!(local_path_inside("evidence-file", "out/evidence.md", ws.path()).is_ok());
    }

    /// Issue 11 point 2: a dangling link (the check was skipped when the target did not exist)
    /// and `../../x.md` (folded into `x.md`).
    #[test]
    fn dangling_links_and_leaving_dotdots_are_refused() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path().join("new.md"), ws.path().join("ev.md")).unwrap();
        let err = local_path_inside("evidence-file", "ev.md", ws.path()).unwrap_err();
        assert!(err.to_string().contains("input `evidence-file`"), "{err}");
        assert!(repository_path("status-file", "../../x.md", ws.path()).is_err());
        assert!(local_path_inside("status-file", "../../x.md", ws.path()).is_err());
    }

    #[test]
    fn report_url_must_be_a_web_link() {
        assert!(is_web_link(
            "https://github.com/n8kahl/ITM-gd/actions/runs/1/artifacts/2"
        ));
        assert!(is_web_link("http://ci.example/report/index.html#?q=1"));
        for bad in [
            "javascript:alert(1)",
            "https://",
            "https:///x",
            "https://x/a b",
            "https://x/a)b",
            "https://x/<b>",
            "ftp://x",
        ] {
            assert!(!is_web_link(bad), "{bad}");
        }
    }

    #[test]
    fn booleans_follow_actions_core() {
        assert!(boolean("strict", Some("TRUE".into()), false).unwrap());
        assert!(!boolean("strict", None, false).unwrap());
        let err = boolean("strict", Some("yes".into()), true).unwrap_err();
        assert_eq!(
            err.to_string(),
            "input `strict` is `yes`; expected true or false"
        );
    }
}
