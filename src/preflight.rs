//! Checks that everything is in place before the live workflow is dispatched (runbook section 3):
//! the token works, the workflow file is on the branch, the required secrets exist, and the
//! branch has every Supabase migration of the base branch.
//!
//! Everything goes through the REST API ([`crate::github`]), so it works the same locally and in
//! a workflow.

use std::collections::BTreeSet;

use crate::github::checks::CheckReport;
use crate::github::contents::{self, Repository};
use crate::github::{ApiRequest, GitHubClient, GitHubError};

pub use crate::settings::DEFAULT_WORKFLOW;
/// The secrets the runbook requires (section 2).
pub const DEFAULT_SECRETS: [&str; 3] = [
    "NEXT_PUBLIC_SUPABASE_URL",
    "NEXT_PUBLIC_SUPABASE_ANON_KEY",
    "E2E_BYPASS_TOKEN",
];
/// The secrets the runbook lists as optional (section 2).
pub const DEFAULT_OPTIONAL_SECRETS: [&str; 2] = ["E2E_BYPASS_USER_ID", "E2E_BYPASS_SHARED_SECRET"];
/// Where the Supabase migrations live.
pub const DEFAULT_MIGRATIONS_DIR: &str = "supabase/migrations";

/// What `preflight` checks, resolved from flags, inputs and defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightSettings {
    /// `owner/repo`.
    pub repository: String,
    /// The branch the workflow will run on.
    pub branch: String,
    /// The workflow file, repository-relative.
    pub workflow: String,
    /// Required secret names.
    pub secrets: Vec<String>,
    /// Optional secret names.
    pub optional_secrets: Vec<String>,
    /// The migrations folder, repository-relative.
    pub migrations_dir: String,
    /// The base branch; `None` means the repository's default branch.
    pub base_branch: Option<String>,
}

/// Runs every check against the API and returns the report.
///
/// `env` reads the environment (secrets mapped into the step); `in_workflow` says whether this
/// runs inside GitHub Actions, where the environment can stand in for the secrets API.
pub async fn check(
    client: &GitHubClient,
    settings: &PreflightSettings,
    env: &dyn Fn(&str) -> Option<String>,
    in_workflow: bool,
) -> CheckReport {
    let mut report = CheckReport::new("preflight");
    let repo: Repository = match settings.repository.parse() {
        Ok(repo) => repo,
        Err(err) => {
            report.fail(err.to_string());
            return report;
        }
    };

    // 1. The token works.
    let default_branch = match client
        .get_json::<serde_json::Value>(&ApiRequest::get(repo.api_path()))
        .await
    {
        Ok(info) => {
            let default_branch = info
                .get("default_branch")
                .and_then(|b| b.as_str())
                .unwrap_or("main")
                .to_string();
            report.pass(format!(
                "the token can read `{repo}` (default branch `{default_branch}`)"
            ));
            default_branch
        }
        Err(err) => {
            report.fail(format!(
                "the token cannot read `{repo}`: {}",
                explain(&err, &repo)
            ));
            report.info("other checks skipped: they need a working token");
            return report;
        }
    };
    let base = settings
        .base_branch
        .clone()
        .unwrap_or_else(|| default_branch.clone());
    let branch = settings.branch.as_str();

    // The branch exists (everything below reads it).
    let call = format!("GET {}/branches/{branch}", repo.api_path());
    match contents::check_branch(client, &repo, branch, &call, "contents: read").await {
        Ok(()) => report.pass(format!("branch `{branch}` exists")),
        Err(err) => {
            report.fail(format!("branch `{branch}`: {}", explain(&err, &repo)));
            report.info("workflow and migration checks skipped: the branch is missing");
            check_secrets(client, &repo, settings, env, in_workflow, &mut report).await;
            return report;
        }
    }

    // 2. The workflow file is on the branch (and on the base branch).
    check_workflow(client, &repo, settings, &base, &default_branch, &mut report).await;

    // 3. The secrets exist.
    check_secrets(client, &repo, settings, env, in_workflow, &mut report).await;

    // 4. Migration drift.
    check_migrations(client, &repo, settings, &base, &mut report).await;
    report
}

async fn check_workflow(
    client: &GitHubClient,
    repo: &Repository,
    settings: &PreflightSettings,
    base: &str,
    default_branch: &str,
    report: &mut CheckReport,
) {
    let workflow = settings.workflow.as_str();
    let branch = settings.branch.as_str();
    match contents::get_file(client, repo, workflow, branch, "contents: read").await {
        Ok(Some(_)) => report.pass(format!("workflow `{workflow}` is on branch `{branch}`")),
        Ok(None) => report.fail(format!(
            "workflow `{workflow}` is not on branch `{branch}`: commit it there before dispatching"
        )),
        Err(err) => report.fail(format!("workflow `{workflow}`: {}", explain(&err, repo))),
    }
    if base == branch {
        return;
    }
    match contents::get_file(client, repo, workflow, base, "contents: read").await {
        Ok(Some(_)) => {}
        Ok(None) if base == default_branch => report.warn(format!(
            "workflow `{workflow}` is not on the default branch `{base}`: GitHub lists and \
             dispatches `workflow_dispatch` workflows only when the file is on the default branch"
        )),
        Ok(None) => report.warn(format!(
            "workflow `{workflow}` is not on the base branch `{base}`"
        )),
        Err(err) => report.warn(format!(
            "could not look for workflow `{workflow}` on `{base}`: {}",
            explain(&err, repo)
        )),
    }
}

/// Where the secret names came from.
enum SecretSource {
    /// The repository's secrets API (with the organisation secrets the repository can use).
    Api(BTreeSet<String>),
    /// The environment of this workflow step.
    Environment,
    /// Neither: the reason the API could not tell.
    Unknown(String),
}

async fn secret_names(client: &GitHubClient, repo: &Repository, in_workflow: bool) -> SecretSource {
    let list = |path: String| async move {
        let pages = client
            .paginate(
                &ApiRequest::get(path)
                    .query("per_page", "100")
                    .allow_forbidden(),
                20,
            )
            .await?;
        let mut names = BTreeSet::new();
        for page in pages {
            let secrets = page.get("secrets").and_then(|s| s.as_array());
            for secret in secrets.into_iter().flatten() {
                if let Some(name) = secret.get("name").and_then(|n| n.as_str()) {
                    names.insert(name.to_string());
                }
            }
        }
        Ok::<_, GitHubError>(names)
    };
    match list(format!("{}/actions/secrets", repo.api_path())).await {
        Ok(mut names) => {
            // Organisation secrets shared with the repository count too (when readable).
            if let Ok(org) = list(format!("{}/actions/organization-secrets", repo.api_path())).await
            {
                names.extend(org);
            }
            SecretSource::Api(names)
        }
        Err(err) if in_workflow => {
            tracing::debug!(error = %err, "cannot list secrets; using the environment");
            SecretSource::Environment
        }
        Err(err) => SecretSource::Unknown(err.to_string()),
    }
}

async fn check_secrets(
    client: &GitHubClient,
    repo: &Repository,
    settings: &PreflightSettings,
    env: &dyn Fn(&str) -> Option<String>,
    in_workflow: bool,
    report: &mut CheckReport,
) {
    let source = secret_names(client, repo, in_workflow).await;
    match &source {
        SecretSource::Api(_) => {
            report.info("secrets read from the repository secrets API (GET /repos/{owner}/{repo}/actions/secrets)")
        }
        SecretSource::Environment => report.info(
            "the token may not list secrets; secrets read from this step's environment \
             (map them with `env: NAME: ${{ secrets.NAME }}`)",
        ),
        SecretSource::Unknown(reason) => report.warn(format!(
            "cannot tell whether the secrets exist: the token may not list secrets ({reason}) and \
             this is not a workflow run; use a token with Secrets: read, or run preflight in the workflow"
        )),
    }
    let present = |name: &str| match &source {
        SecretSource::Api(names) => Some(names.contains(name)),
        SecretSource::Environment => Some(env(name).is_some_and(|v| !v.trim().is_empty())),
        SecretSource::Unknown(_) => None,
    };
    for name in &settings.secrets {
        match present(name) {
            Some(true) => report.pass(format!("required secret `{name}` is set")),
            Some(false) => report.fail(format!(
                "required secret `{name}` is not set: gh secret set {name} --repo {repo}"
            )),
            None => {}
        }
    }
    for name in &settings.optional_secrets {
        match present(name) {
            Some(true) => report.pass(format!("optional secret `{name}` is set")),
            Some(false) => report.warn(format!(
                "optional secret `{name}` is not set (the runbook lists it as optional)"
            )),
            None => {}
        }
    }
}

async fn check_migrations(
    client: &GitHubClient,
    repo: &Repository,
    settings: &PreflightSettings,
    base: &str,
    report: &mut CheckReport,
) {
    let dir = settings.migrations_dir.as_str();
    let branch = settings.branch.as_str();
    if base == branch {
        report.info(format!(
            "migration drift not checked: branch `{branch}` is the base branch"
        ));
        return;
    }
    let files = |reference: String| async move {
        contents::list_dir(client, repo, dir, &reference)
            .await
            .map(|entries| {
                entries.map(|entries| {
                    entries
                        .into_iter()
                        .filter(|e| e.kind == "file")
                        .map(|e| e.name)
                        .collect::<BTreeSet<String>>()
                })
            })
    };
    let on_base = match files(base.to_string()).await {
        Ok(Some(files)) => files,
        Ok(None) => {
            report.info(format!("no `{dir}` folder on the base branch `{base}`"));
            return;
        }
        Err(err) => {
            report.fail(format!(
                "could not list `{dir}` on `{base}`: {}",
                explain(&err, repo)
            ));
            return;
        }
    };
    let on_branch = match files(branch.to_string()).await {
        Ok(files) => files.unwrap_or_default(),
        Err(err) => {
            report.fail(format!(
                "could not list `{dir}` on `{branch}`: {}",
                explain(&err, repo)
            ));
            return;
        }
    };
    if on_base.len() >= 1000 || on_branch.len() >= 1000 {
        report.warn(format!(
            "`{dir}` holds 1000 files or more; the contents API lists at most 1000, so drift may be missed"
        ));
    }
    let missing: Vec<&String> = on_base.difference(&on_branch).collect();
    let extra: Vec<&String> = on_branch.difference(&on_base).collect();
    if missing.is_empty() {
        report.pass(format!(
            "no migration drift: every one of the {} migrations in `{dir}` on `{base}` is on `{branch}`",
            on_base.len()
        ));
    } else {
        report.fail(format!(
            "migration drift: {} migration(s) on `{base}` are missing on `{branch}` (merge `{base}` into `{branch}`): {}",
            missing.len(),
            name_list(&missing)
        ));
    }
    if !extra.is_empty() {
        report.info(format!(
            "{} migration(s) only on `{branch}` (not yet on `{base}`): {}",
            extra.len(),
            name_list(&extra)
        ));
    }
}

/// Up to 10 names, then how many more.
fn name_list(names: &[&String]) -> String {
    let shown: Vec<&str> = names.iter().take(10).map(|n| n.as_str()).collect();
    let mut text = shown.join(", ");
    if names.len() > 10 {
        text.push_str(&format!(" and {} more", names.len() - 10));
    }
    text
}

/// An API error as a check detail.
fn explain(err: &GitHubError, repo: &Repository) -> String {
    match err {
        GitHubError::Status { status: 404, .. } => {
            format!("not found in `{repo}` (or the token cannot see it)")
        }
        other => other.to_string(),
    }
}
