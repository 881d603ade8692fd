//! Settings: how every command reads what it is told.
//!
//! One order everywhere: a flag wins over the action input (`INPUT_<NAME>`), which wins over the
//! environment; values are trimmed and empty means unset, as `@actions/core` reads inputs.
//! [`Target::resolve`] gives the repository, branch and workflow a command looks at, in one
//! documented order for every command (README, "The rest of the runbook"):
//!
//! 1. the flag or input (`--repository`, `--branch`, `--workflow`);
//! 2. the GitHub Actions environment (`GITHUB_REPOSITORY`; the branch under test from
//!    `GITHUB_HEAD_REF`, else `GITHUB_REF` when it is a branch);
//! 3. the git checkout in the current folder (the `origin` remote; the checked-out branch).
//!
//! Inside a workflow the run's own repository and branch are the ones meant; on a laptop, the
//! checkout is.

use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::github::contents::Repository;
use crate::github::{GitHubClient, GitHubError};
use crate::runner;

/// The live workflow of the users' repository.
pub const DEFAULT_WORKFLOW: &str = ".github/workflows/ai-coach-live-e2e.yml";

/// A setting that cannot be resolved: a usage error (exit 2), found before any work is done.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No flag, input, `GITHUB_REPOSITORY` or `origin` remote names the repository.
    #[error(
        "no repository: pass --repository owner/repo (or set GITHUB_REPOSITORY, or run inside a \
         git checkout whose `origin` is on GitHub)"
    )]
    NoRepository,
    /// No flag, input, Actions ref or local checkout names a branch.
    #[error(
        "no branch: pass --branch (neither the workflow's ref nor the current checkout is a branch)"
    )]
    NoBranch,
    /// A value that is not valid (the message names the flag or input and what it expects).
    #[error("{0}")]
    Invalid(String),
    /// The repository, token or API address is not usable.
    #[error(transparent)]
    GitHub(#[from] GitHubError),
}

/// An input of the action: its name, its default as `action.yml` declares it (one item per line;
/// empty when it has none), and who reads it. Checked against `action.yml` by
/// `tests/action_contract.rs`, and against what each command really reads (see [`inputs_read`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Input {
    /// The input's name (`INPUT_<NAME>` in the environment).
    pub name: &'static str,
    /// The default in `action.yml`, one item per line.
    pub default: &'static [&'static str],
    /// The commands that read it (`gate`, `preflight`, `readiness`); `itm-gate` for `command`,
    /// which the binary reads to choose the command.
    pub read_by: &'static [&'static str],
}

const GATE: &[&str] = &["gate"];
const ALL: &[&str] = &["gate", "preflight", "readiness"];

/// Every input of the action, in `action.yml`'s order. The CLI-only commands (`secrets`, `run`,
/// `scan-logs`) read some of them too (and `secrets` reads `env-file`, which the action does not
/// offer, since the action runs only `gate`, `preflight` and `readiness`).
#[rustfmt::skip]
pub const INPUTS: &[Input] = &[
    Input { name: "command", default: &["gate"], read_by: &["itm-gate"] },
    Input { name: "results", default: &["test-results/results.json"], read_by: GATE },
    Input {
        name: "specs",
        default: &[
            "e2e/specs/ai-coach/ai-coach-api.spec.ts",
            "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
        ],
        read_by: GATE,
    },
    Input { name: "test-dir", default: &[], read_by: GATE },
    Input { name: "strict", default: &["true"], read_by: GATE },
    Input {
        name: "allow-skip",
        default: &[
            "^Live backend websocket auth gate is not yet enforced at",
            "^Live backend websocket authz capability not yet deployed at",
        ],
        read_by: GATE,
    },
    Input { name: "flaky", default: &["pass"], read_by: GATE },
    Input { name: "logs", default: &[], read_by: GATE },
    Input { name: "log-rules", default: &[], read_by: GATE },
    Input { name: "backend-url", default: &[], read_by: GATE },
    Input { name: "job-status", default: &["${{ job.status }}"], read_by: GATE },
    Input {
        name: "status-file",
        default: &["docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md"],
        read_by: &["gate", "readiness"],
    },
    Input { name: "commit", default: &["on-success"], read_by: GATE },
    Input { name: "branch", default: &[], read_by: ALL },
    Input { name: "token", default: &["${{ github.token }}"], read_by: ALL },
    Input { name: "timezone", default: &["America/New_York"], read_by: GATE },
    Input { name: "fail-on-gate", default: &["true"], read_by: GATE },
    Input { name: "evidence-file", default: &[], read_by: GATE },
    Input { name: "dry-run", default: &["false"], read_by: GATE },
    Input { name: "report-url", default: &[], read_by: GATE },
    Input { name: "repository", default: &[], read_by: &["preflight", "readiness"] },
    Input {
        name: "workflow",
        default: &[DEFAULT_WORKFLOW],
        read_by: &["preflight", "readiness"],
    },
    Input {
        name: "secrets",
        default: &[
            "NEXT_PUBLIC_SUPABASE_URL",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "E2E_BYPASS_TOKEN",
        ],
        read_by: &["preflight"],
    },
    Input {
        name: "optional-secrets",
        default: &["E2E_BYPASS_USER_ID", "E2E_BYPASS_SHARED_SECRET"],
        read_by: &["preflight"],
    },
    Input { name: "migrations-dir", default: &["supabase/migrations"], read_by: &["preflight"] },
    Input { name: "base-branch", default: &[], read_by: &["preflight"] },
    Input { name: "blocking-labels", default: &["P0", "P1"], read_by: &["readiness"] },
];

thread_local! {
    /// The inputs this thread asked for, by name (see [`inputs_read`]).
    static READ: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// The names of the inputs this thread has asked for since the last call (flag given or not),
/// and forgets them. Every input is read through [`setting`], so this is what a command reads:
/// the contract test holds it against [`INPUTS`] (nothing undeclared read, every declared
/// input read by the commands that say they read it).
pub fn inputs_read() -> BTreeSet<String> {
    READ.with(|read| std::mem::take(&mut *read.borrow_mut()))
}

/// The command the `command` input chooses (default `gate`), when the binary runs without
/// arguments.
pub fn command() -> String {
    setting(None, "command").unwrap_or_else(|| "gate".to_string())
}

/// A setting: the flag when given (trimmed, non-empty), else the action input `name`.
pub fn setting(flag: Option<&str>, name: &str) -> Option<String> {
    READ.with(|read| read.borrow_mut().insert(name.to_string()));
    flag.map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| runner::input(name))
}

/// The token: the `--token` flag, else the `token` input, else `GITHUB_TOKEN`.
pub fn token(flag: Option<&str>) -> Option<String> {
    setting(flag, "token").or_else(|| runner::env_value("GITHUB_TOKEN"))
}

/// The API client for a command, with the token from [`token`] (installed in the redactor
/// first); a missing token or a bad `GITHUB_API_URL` is an error.
pub fn client(token_flag: Option<&str>) -> Result<GitHubClient, GitHubError> {
    let token = token(token_flag).ok_or(GitHubError::MissingToken)?;
    crate::redact::install(crate::redact::Redactor::from_env(Some(&token)));
    GitHubClient::from_env(&token)
}

/// Splits a list setting on commas and new lines (secret names, labels).
pub fn list(value: &str) -> Vec<String> {
    value
        .split(['\n', ','])
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits a list setting on new lines only (values that may hold commas, like regexes).
pub fn lines(value: &str) -> Vec<String> {
    value
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// A boolean setting as `@actions/core` reads it: `true`/`True`/`TRUE` or
/// `false`/`False`/`FALSE`; any other word is `None`.
pub fn boolean(word: &str) -> Option<bool> {
    match word {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// A list setting: the flag, else the input, split by [`list`]; else `default`.
pub fn list_or(flag: Option<&str>, name: &str, default: &[&str]) -> Vec<String> {
    setting(flag, name)
        .map(|v| list(&v))
        .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
}

/// Flags naming what a command looks at, and the token to look with (each also readable from
/// its `INPUT_*` variable in Actions). Resolved by [`Target::resolve`].
#[derive(Debug, Default, Clone, clap::Args)]
pub struct TargetArgs {
    /// Repository, `owner/repo` [default: GITHUB_REPOSITORY, else the `origin` remote].
    #[arg(long)]
    pub repository: Option<String>,
    /// Branch [default: the branch under test in Actions, else the current git branch].
    #[arg(long)]
    pub branch: Option<String>,
    /// The live workflow file; its file name identifies it
    /// [default: .github/workflows/ai-coach-live-e2e.yml].
    #[arg(long)]
    pub workflow: Option<String>,
    /// GitHub token [default: the `token` input, else GITHUB_TOKEN].
    #[arg(long)]
    pub token: Option<String>,
}

/// The repository, branch and workflow a command looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The repository.
    pub repository: Repository,
    /// The branch.
    pub branch: String,
    /// The workflow file, repository-relative.
    pub workflow: String,
}

impl Target {
    /// Resolves each setting in the order of the module documentation: flag or input, then the
    /// Actions environment, then the local git checkout (the workflow has a default instead).
    pub fn resolve(args: &TargetArgs) -> Result<Self, SettingsError> {
        Ok(Self {
            repository: repository(args.repository.as_deref())?,
            branch: branch(args.branch.as_deref())?,
            workflow: setting(args.workflow.as_deref(), "workflow")
                .unwrap_or_else(|| DEFAULT_WORKFLOW.to_string()),
        })
    }
}

/// The repository: the flag (or `repository` input), else `GITHUB_REPOSITORY`, else the
/// `origin` remote of the git checkout in the current folder; validated as `owner/repo`.
pub fn repository(flag: Option<&str>) -> Result<Repository, SettingsError> {
    let value = first_of(
        setting(flag, "repository"),
        || runner::env_value("GITHUB_REPOSITORY"),
        || origin_url().and_then(|url| repository_from_remote(&url)),
    )
    .ok_or(SettingsError::NoRepository)?;
    Ok(value.parse::<Repository>()?)
}

/// The branch: the flag (or `branch` input), else the branch under test in Actions
/// ([`resolve_branch`]), else the branch checked out in the current folder.
pub fn branch(flag: Option<&str>) -> Result<String, SettingsError> {
    first_of(
        setting(flag, "branch"),
        || resolve_branch(None, &runner::env_value).ok(),
        local_branch,
    )
    .ok_or(SettingsError::NoBranch)
}

/// The order of [`Target::resolve`]: what was given, else what the Actions environment says,
/// else what the local checkout says (asked only when needed).
pub fn first_of<T>(
    given: Option<T>,
    actions: impl FnOnce() -> Option<T>,
    checkout: impl FnOnce() -> Option<T>,
) -> Option<T> {
    given.or_else(actions).or_else(checkout)
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
    if !crate::github::record::is_valid_branch(&branch) {
        return Err(GitHubError::InvalidBranch { branch });
    }
    Ok(branch)
}

/// The branch checked out in the current folder (`.git/HEAD`), when it is a branch.
pub fn local_branch() -> Option<String> {
    let head = std::fs::read_to_string(".git/HEAD").ok()?;
    head.trim()
        .strip_prefix("ref: refs/heads/")
        .map(str::to_string)
        .filter(|b| !b.is_empty())
}

/// `owner/repo` from a git remote URL: `https://host/owner/repo(.git)`, `git@host:owner/repo.git`,
/// `ssh://git@host[:port]/owner/repo.git`. Credentials in the URL are ignored (never returned).
pub fn repository_from_remote(url: &str) -> Option<String> {
    let url = url.trim();
    let path = if let Some((_, rest)) = url.split_once("://") {
        // scheme://[user[:pw]@]host[:port]/owner/repo
        let after_host = rest.split_once('/')?.1;
        after_host.to_string()
    } else if let Some((host, path)) = url.split_once(':') {
        // scp-like: [user@]host:owner/repo
        if host.contains('/') {
            return None;
        }
        path.to_string()
    } else {
        return None;
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let mut parts = path.rsplit('/');
    let name = parts.next()?;
    let owner = parts.next()?;
    let candidate = format!("{owner}/{name}");
    candidate.parse::<Repository>().ok().map(|_| candidate)
}

/// The URL of the `origin` remote: `git remote get-url origin`, else `.git/config` read directly.
fn origin_url() -> Option<String> {
    let from_git = std::process::Command::new("git")
        .args(["remote", "get-url", "origin"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()
        .filter(|out| out.status.success())
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    from_git.or_else(|| {
        let config = std::fs::read_to_string(".git/config").ok()?;
        origin_from_config(&config)
    })
}

/// The `url` of `[remote "origin"]` in a git config file.
fn origin_from_config(config: &str) -> Option<String> {
    let mut in_origin = false;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_origin = line.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        if in_origin
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "url"
        {
            return Some(value.trim().to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Was: `run` took the local checkout's branch before the workflow's ref, while `preflight`
    /// and `readiness` took the workflow's first; now every command takes the flag, then the
    /// Actions environment, then the checkout, which is asked only when nothing else answers.
    #[test]
    fn the_target_order_is_given_then_actions_then_checkout() {
        let some = |v: &str| Some(v.to_string());
        let never = || -> Option<String> { panic!("the checkout is not asked") };
        assert_eq!(first_of(some("flag"), || some("ci"), never), some("flag"));
        assert_eq!(first_of(None, || some("ci"), never), some("ci"));
        assert_eq!(first_of(None, || None, || some("local")), some("local"));
        assert_eq!(first_of::<String>(None, || None, || None), None);
    }

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
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
    fn lists_split_on_commas_and_lines() {
        assert_eq!(list("P0, P1\nblocker,"), vec!["P0", "P1", "blocker"]);
    }

    #[test]
    fn remotes_of_every_shape_name_the_repository() {
        for url in [
            "https://github.com/n8kahl/ITM-gd.git",
            "https://github.com/n8kahl/ITM-gd",
            "https://x-access-token:ghs_abc@github.com/n8kahl/ITM-gd.git",
            "git@github.com:n8kahl/ITM-gd.git",
            "ssh://git@github.com/n8kahl/ITM-gd.git",
            "ssh://git@ghe.example.com:2222/n8kahl/ITM-gd/",
        ] {
            assert_eq!(
                repository_from_remote(url).as_deref(),
                Some("n8kahl/ITM-gd"),
                "{url}"
            );
        }
        assert_eq!(repository_from_remote("/srv/git/repo"), None);
        assert_eq!(repository_from_remote("https://github.com/"), None);
    }

    #[test]
    fn origin_is_read_from_git_config() {
        let config = "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = git@github.com:a/b.git\n\
                      [remote \"origin\"]\n\turl = https://github.com/n8kahl/ITM-gd.git\n";
        assert_eq!(
            origin_from_config(config).as_deref(),
            Some("https://github.com/n8kahl/ITM-gd.git")
        );
    }
}
