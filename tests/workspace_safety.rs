//! The gate stays inside the workspace and never waits on a file (DESIGN.md sections 5 and 6,
//! issue 11 points 2 and 3): `..` that leaves the workspace is refused, never folded;
//! `status-file` and `evidence-file` are followed link by link (dangling links too) and refused
//! when they lead outside; nothing is written through a link; results and logs that are FIFOs,
//! devices or folders (or links to them) are never opened. Every run is guarded by a timeout,
//! so a read that blocks fails the test instead of hanging it.

mod common;

use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{ActionRun, report};

const NEW: &str = "1.58.2";
/// A run that reads a FIFO would block forever; a correct one takes well under a second.
const QUICK: Duration = Duration::from_secs(20);

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

// ---- point 2: paths ----

/// Was: the check was skipped when the link's target did not exist, so the gate created the
/// file outside the workspace.
#[test]
fn evidence_file_as_a_dangling_link_to_outside_is_refused_and_nothing_is_created() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("planted.md");
    let run = ActionRun::new().report(&report(NEW, "green.json"));
    symlink(&target, run.workspace.path().join("evidence.md")).unwrap();
    let ran = run
        .input("evidence-file", "evidence.md")
        .run_within(&[], QUICK);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("input `evidence-file`"),
        "{}",
        ran.stderr
    );
    assert!(
        !target.exists(),
        "the file outside the workspace was created"
    );
}

/// A link inside the workspace is replaced by the written file, never written through.
#[test]
fn evidence_file_is_written_without_following_a_final_link() {
    let run = ActionRun::new().report(&report(NEW, "green.json"));
    let ws = run.workspace.path().to_path_buf();
    std::fs::write(ws.join("other.md"), "keep me\n").unwrap();
    symlink("other.md", ws.join("evidence.md")).unwrap();
    let run = run.input("evidence-file", "evidence.md");
    let ran = run.run_within(&[], QUICK);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(
        std::fs::read_to_string(ws.join("other.md")).unwrap(),
        "keep me\n"
    );
    let written = std::fs::read_to_string(ws.join("evidence.md")).unwrap();
    assert!(
        written.contains("### Staging Live Gate Evidence"),
        "{written}"
    );
}

/// Was: a local dry run read the outside file through the link and printed it in the diff.
#[test]
fn status_file_linking_outside_is_neither_read_nor_printed() {
    let outside = tempfile::tempdir().unwrap();
    let private = outside.path().join("private.md");
    std::fs::write(&private, "PRIVATE-CONTENT-OUTSIDE-THE-WORKSPACE\n").unwrap();
    let run = ActionRun::local().report(&report(NEW, "green.json"));
    std::fs::create_dir_all(run.workspace.path().join("docs")).unwrap();
    symlink(&private, run.workspace.path().join("docs/STATUS.md")).unwrap();
    let ran = run.run_within(
        &[
            "gate",
            "--status-file",
            "docs/STATUS.md",
            "--commit",
            "always",
        ],
        QUICK,
    );
    assert_eq!(ran.code, 2, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stderr.contains("input `status-file`"), "{}", ran.stderr);
    assert!(
        !ran.everything().contains("PRIVATE-CONTENT"),
        "{}",
        ran.everything()
    );
}

/// Was: `normalize` popped a `..` with a `..`, so `../../x.md` became `x.md` in the workspace.
#[test]
fn dotdot_that_leaves_the_workspace_is_refused_not_folded() {
    for input in ["status-file", "evidence-file"] {
        let ran = ActionRun::new()
            .report(&report(NEW, "green.json"))
            .input(input, "../../x.md")
            .run_within(&[], QUICK);
        assert_eq!(ran.code, 2, "{input}: {}", ran.stderr);
        assert!(
            ran.stderr
                .contains(&format!("input `{input}` is `../../x.md`")),
            "{input}: {}",
            ran.stderr
        );
    }
}

// ---- point 3: only regular files are read ----

/// Was: the gate waited forever for a writer on the FIFO.
#[test]
fn a_fifo_as_results_is_a_fail_naming_it() {
    let run = ActionRun::new();
    std::fs::create_dir_all(run.workspace.path().join("test-results")).unwrap();
    mkfifo(&run.workspace.path().join("test-results/results.json"));
    let ran = run.run_within(&[], QUICK);
    assert_eq!(ran.output("result"), "FAIL");
    assert!(
        ran.output("reasons").contains("results.json") && ran.output("reasons").contains("FIFO"),
        "{}",
        ran.output("reasons")
    );
}

#[test]
fn a_link_to_dev_zero_or_a_folder_as_results_is_a_fail_naming_it() {
    for (name, make) in [
        (
            "zero",
            Box::new(|p: &Path| symlink("/dev/zero", p).unwrap()) as Box<dyn Fn(&Path)>,
        ),
        (
            "folder",
            Box::new(|p: &Path| std::fs::create_dir_all(p).unwrap()),
        ),
    ] {
        let run = ActionRun::new();
        std::fs::create_dir_all(run.workspace.path().join("test-results")).unwrap();
        make(&run.workspace.path().join("test-results/results.json"));
        let ran = run.run_within(&[], QUICK);
        assert_eq!(ran.output("result"), "FAIL", "{name}");
        assert!(
            ran.output("reasons").contains("results.json"),
            "{name}: {}",
            ran.output("reasons")
        );
    }
}

/// Was: a `logs` glob matching a FIFO or a link to /dev/zero blocked (or read forever).
#[test]
fn fifo_device_and_folder_logs_are_skipped_with_a_warning_naming_them() {
    let run = ActionRun::new()
        .report(&report(NEW, "green.json"))
        .input("logs", "logs/*");
    let logs = run.workspace.path().join("logs");
    std::fs::create_dir_all(logs.join("folder.log")).unwrap();
    mkfifo(&logs.join("pipe.log"));
    symlink("/dev/zero", logs.join("zero.log")).unwrap();
    std::fs::write(logs.join("plain.log"), "all good\n").unwrap();
    let ran = run.run_within(&[], QUICK);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert_eq!(ran.output("result"), "PASS");
    let findings = ran.output("findings");
    for name in ["pipe.log", "zero.log", "folder.log"] {
        assert!(findings.contains(name), "{name} not named: {findings}");
    }
    assert!(findings.contains("FIFO"), "{findings}");
    assert!(findings.contains("device"), "{findings}");
}

#[test]
fn scan_logs_skips_a_fifo_and_a_device() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.log"));
    symlink("/dev/zero", dir.path().join("zero.log")).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_itm-gate"));
    cmd.current_dir(dir.path())
        .env_remove("GITHUB_ACTIONS")
        .args(["scan-logs", "pipe.log", "zero.log"]);
    let out = common::output_within(&mut cmd, QUICK);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("skipped `pipe.log`"), "{stdout}");
    assert!(stdout.contains("skipped `zero.log`"), "{stdout}");
}
