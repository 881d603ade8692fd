//! Maps report paths (relative to Playwright's rootDir) to repository paths.
//!
//! A report written by `testDir: './e2e'` says `specs/ai-coach/ai-coach-api.spec.ts`; the runbook
//! and the `specs` input say `e2e/specs/ai-coach/ai-coach-api.spec.ts`. The folder between the
//! two (`e2e`) is the `test-dir` input, or is derived from the report's `config.rootDir`. Inside the
//! container the workspace is `/github/workspace` while rootDir is the runner's host path
//! (`/home/runner/work/<repo>/<repo>/e2e`), so the derivation also matches the tail of rootDir
//! against folders of the workspace.
//!
//! It also holds the workspace rules for the files the gate reads and writes (DESIGN.md
//! section 6): [`resolve_inside`] follows a path component by component, symbolic links
//! included (dangling ones too), and refuses one that leads outside the workspace;
//! [`open_regular`] opens a file for reading only when it is a regular file, so a FIFO or a
//! device can never block a read; [`write_replacing`] writes a file without following a final
//! link.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path, PathBuf};
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
///
/// A `..` removes the folder before it; a `..` that would leave the starting folder stays, so
/// `../../x.md` keeps both (and callers can refuse it) instead of being folded into `x.md`.
pub fn normalize(path: &str) -> String {
    let path = path.trim().replace('\\', "/");
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ => parts.push(".."),
            },
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// At most this many symbolic links are followed while resolving one path (as Linux does).
pub const MAX_LINKS: usize = 40;

/// Why [`resolve_inside`] refused a path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Escape {
    /// The path, or a symbolic link on its way, leads outside the workspace.
    #[error("it leads to {0}, outside the workspace")]
    Outside(String),
    /// More than [`MAX_LINKS`] symbolic links (a loop).
    #[error("it goes through more than {MAX_LINKS} symbolic links")]
    TooManyLinks,
}

/// Where `path` (relative to `workspace`, or absolute) really leads, following every symbolic
/// link on the way as the operating system would, dangling ones included (a link to a file that
/// does not exist yet leads where that file would be created); refused when that place is
/// outside `workspace`.
///
/// Components that do not exist are taken as they are. The workspace itself is taken with its
/// own links resolved, so a workspace reached through a link works.
pub fn resolve_inside(workspace: &Path, path: &Path) -> Result<PathBuf, Escape> {
    let root = workspace
        .canonicalize()
        .unwrap_or_else(|_| workspace.to_path_buf());
    let mut current = if path.is_absolute() {
        PathBuf::from("/")
    } else {
        root.clone()
    };
    let mut pending: VecDeque<OsString> = parts(path);
    let mut links = 0;
    while let Some(part) = pending.pop_front() {
        if part == ".." {
            current.pop();
            continue;
        }
        let next = current.join(&part);
        match std::fs::symlink_metadata(&next) {
            Ok(meta) if meta.file_type().is_symlink() => {
                links += 1;
                if links > MAX_LINKS {
                    return Err(Escape::TooManyLinks);
                }
                let target = std::fs::read_link(&next)
                    .map_err(|_| Escape::Outside(next.display().to_string()))?;
                if target.is_absolute() {
                    current = PathBuf::from("/");
                }
                let mut resolved = parts(&target);
                resolved.extend(pending);
                pending = resolved;
            }
            _ => current = next,
        }
    }
    if current.starts_with(&root) {
        Ok(current)
    } else {
        Err(Escape::Outside(current.display().to_string()))
    }
}

/// The components of `path` that move: names and `..` (`.` and the root are dropped).
fn parts(path: &Path) -> VecDeque<OsString> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(name) => Some(name.to_os_string()),
            Component::ParentDir => Some(OsString::from("..")),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect()
}

/// Opens `path` for reading only when it is a regular file (links followed): a FIFO, a device,
/// a socket or a folder is refused without being opened, so no read can wait forever.
///
/// The file is opened non-blocking and checked again once open, so a file swapped for a FIFO
/// in between cannot block either. The error says what the path is instead.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NONBLOCK)
        .open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

/// `O_NONBLOCK` on Linux (and the other platforms the image targets): opening a FIFO with it
/// returns at once instead of waiting for a writer. Regular files ignore it.
#[cfg(any(target_os = "linux", target_os = "android"))]
const O_NONBLOCK: i32 = 0o4000;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const O_NONBLOCK: i32 = 0x0004;

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = meta.file_type();
    let what = if kind.is_dir() {
        "a folder"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {what}, not a regular file; only regular files are read"),
    )
}

/// Writes `bytes` to `path` without following a link at `path`: the bytes go to a new file in
/// the same folder, which is then renamed over `path` (replacing a link there, never writing
/// through it). Missing folders are created.
pub fn write_replacing(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for attempt in 0..100u32 {
        let temp = dir.join(format!(".{name}.itm-gate-{}-{attempt}", std::process::id()));
        let mut file = match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o644)
            .open(&temp)
        {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(err) => return Err(err),
        };
        let written = file
            .write_all(bytes)
            .and_then(|()| file.flush())
            .and_then(|()| std::fs::rename(&temp, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        return written;
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("cannot create a temporary file next to {}", path.display()),
    ))
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

    /// Issue 11 point 2: `../../x.md` was folded into `x.md` (a `..` popped a `..`).
    #[test]
    fn a_dotdot_that_leaves_is_never_folded() {
        assert_eq!(normalize("../../x.md"), "../../x.md");
        assert_eq!(normalize("a/../../x.md"), "../x.md");
        assert_eq!(normalize("a/b/../../x.md"), "x.md");
    }

    #[test]
    fn links_are_followed_component_by_component() {
        let ws = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = ws.path().canonicalize().unwrap();
        std::fs::create_dir(ws.path().join("docs")).unwrap();
        std::os::unix::fs::symlink("docs", ws.path().join("inside-link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("nope.md"), ws.path().join("dangling"))
            .unwrap();
        std::os::unix::fs::symlink("../..", ws.path().join("docs/up")).unwrap();
        std::os::unix::fs::symlink("loop", ws.path().join("loop")).unwrap();
        assert_eq!(
            resolve_inside(ws.path(), Path::new("inside-link/a.md")).unwrap(),
            root.join("docs/a.md")
        );
        assert!(matches!(
            resolve_inside(ws.path(), Path::new("dangling")),
            Err(Escape::Outside(_))
        ));
        assert!(resolve_inside(ws.path(), Path::new("docs/up/x.md")).is_err());
        assert_eq!(
            resolve_inside(ws.path(), Path::new("loop")),
            Err(Escape::TooManyLinks)
        );
        assert!(resolve_inside(ws.path(), Path::new("new/dir/file.md")).is_ok());
    }

    #[test]
    fn writing_replaces_a_final_link_instead_of_following_it() {
        let ws = tempfile::tempdir().unwrap();
        let target = ws.path().join("target.md");
        std::fs::write(&target, "old").unwrap();
        let link = ws.path().join("link.md");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_replacing(&link, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(std::fs::read_to_string(&link).unwrap(), "new");
        assert!(
            !std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
}
