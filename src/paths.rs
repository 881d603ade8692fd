//! Maps report paths (relative to Playwright's rootDir) to repository paths.
//!
//! A report written by `testDir: './e2e'` says `specs/ai-coach/ai-coach-api.spec.ts`; the runbook
//! and the `specs` input say `e2e/specs/ai-coach/ai-coach-api.spec.ts`. The folder between the
//! two (`e2e`) is the `test-dir` input, or is derived from the report's `config.rootDir`. Inside the
//! container the workspace is `/github/workspace` while rootDir is the runner's host path
//! (`/home/runner/work/<repo>/<repo>/e2e`), so the derivation also matches the tail of rootDir
//! against folders of the workspace.

use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;

/// How the test folder was found, for the summary's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Derivation {
    /// From the `test-dir` input.
    Input,
    /// rootDir lies inside the workspace.
    InsideWorkspace,
    /// rootDir lies inside the runner's host workspace (`RUNNER_WORKSPACE/<repo>`).
    RunnerWorkspace,
    /// The tail of rootDir names a folder that exists in the workspace.
    WorkspaceFolder,
    /// rootDir has the shape of a runner checkout (`…/work/<repo>/<repo>/…`).
    RunnerCheckoutShape,
    /// Nothing matched: report paths are taken as repository paths.
    Unknown,
}

/// Turns the paths of one report into repository-relative paths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathMapper {
    /// Repository-relative folder of the report's rootDir; empty for the repository root.
    pub test_dir: String,
    /// The report's rootDir, when it has one.
    pub root_dir: Option<String>,
    /// How `test_dir` was found.
    pub derivation: Derivation,
}

/// What the mapper needs to know about where it runs.
#[derive(Debug, Clone, Default)]
pub struct Workspace<'a> {
    /// The checkout: `GITHUB_WORKSPACE`, else the current folder.
    pub dir: Option<&'a Path>,
    /// `RUNNER_WORKSPACE` (the runner's host folder that holds the checkout).
    pub runner_workspace: Option<&'a str>,
    /// `GITHUB_REPOSITORY` (`owner/name`).
    pub repository: Option<&'a str>,
}

/// `…/work/<repo>/<repo>/<rest>` as GitHub-hosted (`/home/runner/work`) and self-hosted
/// (`…/_work`) runners lay out a checkout.
static RUNNER_CHECKOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/_?work/([^/]+)/([^/]+)(?:/(.*))?$").expect("checkout pattern is valid")
});

impl PathMapper {
    /// A mapper with a fixed test folder (the `test-dir` input).
    pub fn fixed(test_dir: &str) -> PathMapper {
        PathMapper {
            test_dir: normalize(test_dir),
            root_dir: None,
            derivation: Derivation::Input,
        }
    }

    /// Finds the test folder for a report whose `config.rootDir` is `root_dir`.
    pub fn derive(root_dir: Option<&str>, workspace: &Workspace<'_>) -> PathMapper {
        let Some(root) = root_dir.map(|r| r.replace('\\', "/")) else {
            return PathMapper {
                test_dir: String::new(),
                root_dir: None,
                derivation: Derivation::Unknown,
            };
        };
        let root = root.trim_end_matches('/').to_string();
        let (test_dir, derivation) = find_test_dir(&root, workspace);
        PathMapper {
            test_dir,
            root_dir: Some(root),
            derivation,
        }
    }

    /// The repository path of a report path (relative to rootDir, or absolute under rootDir).
    pub fn to_repo(&self, report_path: &str) -> String {
        let path = report_path.replace('\\', "/");
        if let Some(root) = &self.root_dir
            && let Some(rest) = path.strip_prefix(root.as_str())
            && let Some(rest) = rest.strip_prefix('/')
        {
            return join(&self.test_dir, rest);
        }
        if path.starts_with('/') {
            return path;
        }
        join(&self.test_dir, &path)
    }

    /// A sentence for the notes when the folder could not be found.
    pub fn problem(&self) -> Option<String> {
        match (&self.derivation, &self.root_dir) {
            (Derivation::Unknown, Some(root)) => Some(format!(
                "could not place the report's rootDir `{root}` in the workspace; report paths are used as repository paths (set the `test-dir` input, e.g. `e2e`)"
            )),
            _ => None,
        }
    }
}

fn find_test_dir(root: &str, workspace: &Workspace<'_>) -> (String, Derivation) {
    if let Some(dir) = workspace.dir {
        let dir = dir.to_string_lossy().replace('\\', "/");
        let dir = dir.trim_end_matches('/');
        if let Some(rest) = strip_dir(root, dir) {
            return (rest, Derivation::InsideWorkspace);
        }
    }
    if let (Some(runner), Some(repo)) = (workspace.runner_workspace, workspace.repository) {
        let name = repo.rsplit('/').next().unwrap_or(repo);
        let host = format!("{}/{name}", runner.trim_end_matches('/'));
        if let Some(rest) = strip_dir(root, &host) {
            return (rest, Derivation::RunnerWorkspace);
        }
    }
    if let Some(dir) = workspace.dir {
        let parts: Vec<&str> = root.split('/').filter(|p| !p.is_empty()).collect();
        for take in (1..=parts.len().min(8)).rev() {
            let tail = parts[parts.len() - take..].join("/");
            if dir.join(&tail).is_dir() {
                return (tail, Derivation::WorkspaceFolder);
            }
        }
    }
    if let Some(caps) = RUNNER_CHECKOUT.captures(root)
        && caps[1] == caps[2]
    {
        let rest = caps.get(3).map_or("", |m| m.as_str());
        return (normalize(rest), Derivation::RunnerCheckoutShape);
    }
    (String::new(), Derivation::Unknown)
}

/// `root` relative to `dir` when it lies inside it (`""` when equal).
fn strip_dir(root: &str, dir: &str) -> Option<String> {
    if root == dir {
        return Some(String::new());
    }
    root.strip_prefix(dir)
        .and_then(|rest| rest.strip_prefix('/'))
        .map(normalize)
}

/// A repository-relative path in one spelling: forward slashes, no `./`, no trailing `/`.
pub fn normalize(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

fn join(dir: &str, path: &str) -> String {
    if dir.is_empty() {
        normalize(path)
    } else {
        normalize(&format!("{dir}/{path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST_ROOT: &str = "/home/runner/work/ITM-gd/ITM-gd/e2e";

    #[test]
    fn test_dir_input_wins() {
        let mapper = PathMapper::fixed("./e2e/");
        assert_eq!(
            mapper.to_repo("specs/ai-coach/ai-coach-api.spec.ts"),
            "e2e/specs/ai-coach/ai-coach-api.spec.ts"
        );
    }

    #[test]
    fn root_inside_the_workspace() {
        let ws = Path::new("/home/runner/work/ITM-gd/ITM-gd");
        let mapper = PathMapper::derive(
            Some(HOST_ROOT),
            &Workspace {
                dir: Some(ws),
                ..Workspace::default()
            },
        );
        assert_eq!(mapper.derivation, Derivation::InsideWorkspace);
        assert_eq!(mapper.to_repo("specs/a.spec.ts"), "e2e/specs/a.spec.ts");
    }

    #[test]
    fn inside_the_container_the_runner_workspace_places_the_root() {
        let mapper = PathMapper::derive(
            Some(HOST_ROOT),
            &Workspace {
                dir: Some(Path::new("/github/workspace-that-does-not-exist")),
                runner_workspace: Some("/home/runner/work/ITM-gd"),
                repository: Some("n8kahl/ITM-gd"),
            },
        );
        assert_eq!(mapper.derivation, Derivation::RunnerWorkspace);
        assert_eq!(mapper.test_dir, "e2e");
    }

    #[test]
    fn tail_of_root_matches_a_workspace_folder() {
        let ws = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws.path().join("apps/web/e2e")).unwrap();
        let mapper = PathMapper::derive(
            Some("/somewhere/else/apps/web/e2e"),
            &Workspace {
                dir: Some(ws.path()),
                ..Workspace::default()
            },
        );
        assert_eq!(mapper.derivation, Derivation::WorkspaceFolder);
        assert_eq!(mapper.test_dir, "apps/web/e2e");
    }

    #[test]
    fn runner_checkout_shape_is_the_last_resort() {
        let mapper = PathMapper::derive(Some(HOST_ROOT), &Workspace::default());
        assert_eq!(mapper.derivation, Derivation::RunnerCheckoutShape);
        assert_eq!(mapper.test_dir, "e2e");
        let at_root = PathMapper::derive(Some("/home/runner/work/app/app"), &Workspace::default());
        assert_eq!(at_root.test_dir, "");
    }

    #[test]
    fn unknown_root_is_reported() {
        let mapper = PathMapper::derive(Some("/opt/tests"), &Workspace::default());
        assert_eq!(mapper.to_repo("a.spec.ts"), "a.spec.ts");
        assert!(mapper.problem().unwrap().contains("test-dir"));
    }

    #[test]
    fn absolute_paths_under_root_are_mapped() {
        let mapper = PathMapper::derive(Some(HOST_ROOT), &Workspace::default());
        assert_eq!(
            mapper.to_repo(&format!("{HOST_ROOT}/specs/broken.spec.ts")),
            "e2e/specs/broken.spec.ts"
        );
        assert_eq!(mapper.to_repo("/tmp/x.ts"), "/tmp/x.ts");
    }

    #[test]
    fn normalizes_spellings() {
        assert_eq!(normalize("./e2e//specs/../specs/a.ts"), "e2e/specs/a.ts");
        assert_eq!(normalize("e2e\\specs\\a.ts"), "e2e/specs/a.ts");
    }
}
