//! Runs the real `itm-gate` binary the way the GitHub runner runs a Docker action: every
//! `INPUT_*` from action.yml's defaults, the `GITHUB_*` variables, a temporary folder standing
//! for `/github/workspace`, and the file-command files.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A fake token: it must never appear in any output.
pub const FAKE_TOKEN: &str = "ghs_FAKEtoken0123456789abcdefghijklmnopqr";
/// The commit under test.
pub const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// The repository root (where Cargo.toml is).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A committed Playwright report fixture.
pub fn report(version: &str, name: &str) -> PathBuf {
    repo_root()
        .join("tests/fixtures/reports")
        .join(format!("playwright-{version}"))
        .join(name)
}

/// A hand-written bad-input fixture.
pub fn bad(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures/bad").join(name)
}

/// The defaults of every input declared in action.yml, as the runner would set them.
pub fn action_defaults() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("action.yml is YAML");
    let mut out = BTreeMap::new();
    if let Some(inputs) = yaml.get("inputs").and_then(|i| i.as_mapping()) {
        for (name, spec) in inputs {
            let name = name.as_str().unwrap().to_string();
            let default = spec
                .get("default")
                .map(|d| match d {
                    serde_yaml::Value::String(s) => s.clone(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    other => serde_yaml::to_string(other).unwrap().trim().to_string(),
                })
                .unwrap_or_default();
            let default = default
                .replace("${{ github.token }}", FAKE_TOKEN)
                .replace("${{ job.status }}", "success");
            out.insert(name, default);
        }
    }
    out
}

/// One run of the binary inside a temporary workspace.
pub struct ActionRun {
    /// The workspace (`/github/workspace`).
    pub workspace: tempfile::TempDir,
    /// Inputs by name (`INPUT_<NAME>`).
    pub inputs: BTreeMap<String, String>,
    /// Extra environment variables.
    pub env: BTreeMap<String, String>,
    /// Run outside GitHub Actions (no runner variables).
    pub local: bool,
}

/// What a run produced.
#[derive(Debug)]
pub struct Ran {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Step outputs written to GITHUB_OUTPUT.
    pub outputs: BTreeMap<String, String>,
    /// Job summary written to GITHUB_STEP_SUMMARY.
    pub summary: String,
    /// Raw GITHUB_OUTPUT file.
    pub output_file: String,
}

impl Ran {
    /// An output that must exist.
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).unwrap_or_else(|| {
            panic!(
                "output `{name}` was not written; stdout:\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The `specs` output, parsed.
    pub fn specs(&self) -> Vec<serde_json::Value> {
        serde_json::from_str(self.output("specs")).expect("specs output is JSON")
    }

    /// The spec object for a repository path.
    pub fn spec(&self, file: &str) -> serde_json::Value {
        self.specs()
            .into_iter()
            .find(|s| s["file"] == file)
            .unwrap_or_else(|| panic!("no spec {file} in {}", self.output("specs")))
    }

    /// Everything the run wrote anywhere a person or the runner can see it.
    pub fn everything(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.stdout, self.stderr, self.output_file, self.summary
        )
    }

    /// Annotation command lines (`::error …`, `::warning …`, `::notice …`).
    pub fn annotations(&self, level: &str) -> Vec<String> {
        self.stdout
            .lines()
            .filter(|l| {
                l.starts_with(&format!("::{level} ")) || l.starts_with(&format!("::{level}::"))
            })
            .map(str::to_string)
            .collect()
    }
}

impl ActionRun {
    /// A runner-like run with action.yml's defaults and `commit: never`.
    pub fn new() -> ActionRun {
        let mut inputs = action_defaults();
        inputs.insert("commit".into(), "never".into());
        ActionRun {
            workspace: tempfile::tempdir().expect("temp dir"),
            inputs,
            env: BTreeMap::new(),
            local: false,
        }
    }

    /// A local run: no runner variables, no inputs.
    pub fn local() -> ActionRun {
        ActionRun {
            workspace: tempfile::tempdir().expect("temp dir"),
            inputs: BTreeMap::new(),
            env: BTreeMap::new(),
            local: true,
        }
    }

    /// Sets an input.
    pub fn input(mut self, name: &str, value: &str) -> ActionRun {
        self.inputs.insert(name.into(), value.into());
        self
    }

    /// Sets an environment variable.
    pub fn env(mut self, name: &str, value: &str) -> ActionRun {
        self.env.insert(name.into(), value.into());
        self
    }

    /// Copies a file into the workspace at `dest` (relative).
    pub fn file(self, source: &Path, dest: &str) -> ActionRun {
        let target = self.workspace.path().join(dest);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(source, &target).unwrap_or_else(|e| panic!("copy {}: {e}", source.display()));
        self
    }

    /// Writes a file into the workspace.
    pub fn write(self, dest: &str, content: &[u8]) -> ActionRun {
        let target = self.workspace.path().join(dest);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, content).unwrap();
        self
    }

    /// The report at the default `results` path.
    pub fn report(self, source: &Path) -> ActionRun {
        self.file(source, "test-results/results.json")
    }

    /// Runs the binary with no arguments (as the container does) or with `args`.
    pub fn run(&self, args: &[&str]) -> Ran {
        self.run_within(args, RUN_TIMEOUT)
    }

    /// [`ActionRun::run`], failing the test when the run takes longer than `limit`.
    pub fn run_within(&self, args: &[&str], limit: std::time::Duration) -> Ran {
        let ws = self.workspace.path();
        let runner_files = tempfile::tempdir().expect("temp dir");
        let output_path = runner_files.path().join("output");
        let summary_path = runner_files.path().join("summary");
        std::fs::write(&output_path, "").unwrap();
        std::fs::write(&summary_path, "").unwrap();

        let mut cmd = Command::new(env!("CARGO_BIN_EXE_itm-gate"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", ws)
            .current_dir(ws)
            .args(args);
        if !self.local {
            cmd.env("GITHUB_ACTIONS", "true")
                .env("CI", "true")
                .env("GITHUB_WORKSPACE", ws)
                .env("GITHUB_OUTPUT", &output_path)
                .env("GITHUB_STEP_SUMMARY", &summary_path)
                .env("GITHUB_SHA", SHA)
                .env("GITHUB_REPOSITORY", "n8kahl/ITM-gd")
                .env("GITHUB_SERVER_URL", "https://github.com")
                .env("GITHUB_API_URL", "http://127.0.0.1:9")
                .env("GITHUB_RUN_ID", "13101234567")
                .env("GITHUB_RUN_ATTEMPT", "1")
                .env("GITHUB_REF", "refs/heads/Aiupgrade")
                .env("GITHUB_REF_NAME", "Aiupgrade")
                .env("GITHUB_EVENT_NAME", "workflow_dispatch")
                .env("RUNNER_WORKSPACE", "/home/runner/work/ITM-gd");
            for (name, value) in &self.inputs {
                cmd.env(format!("INPUT_{}", name.to_uppercase()), value);
            }
        }
        for (name, value) in &self.env {
            cmd.env(name, value);
        }
        let out = output_within(&mut cmd, limit);
        let output_file = std::fs::read_to_string(&output_path).unwrap_or_default();
        Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(&output_file),
            summary: std::fs::read_to_string(&summary_path).unwrap_or_default(),
            output_file,
        }
    }
}

/// How long one run of the binary may take before the test fails (a read that blocks, on a
/// FIFO say, fails the test instead of hanging it).
pub const RUN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs `cmd` to completion like `Command::output`, but kills it and fails the test when it
/// takes longer than `limit`.
pub fn output_within(cmd: &mut Command, limit: std::time::Duration) -> std::process::Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run itm-gate");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for itm-gate") {
            break status;
        }
        if std::time::Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("itm-gate did not finish within {limit:?} (a blocked read?)");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// Reads a `GITHUB_OUTPUT` file the way the runner does: `name<<DELIM` then lines up to a
/// line equal to `DELIM`, or `name=value` on one line. Anything else fails the test.
pub fn parse_output_file(text: &str) -> Vec<(String, String)> {
    let mut outputs = Vec::new();
    let mut lines = text.split('\n');
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            let mut closed = false;
            for body in lines.by_ref() {
                if body == delimiter {
                    closed = true;
                    break;
                }
                value.push(body);
            }
            assert!(
                closed,
                "delimiter {delimiter} of output `{name}` never closed"
            );
            outputs.push((name.to_string(), value.join("\n")));
        } else if let Some((name, value)) = line.split_once('=') {
            outputs.push((name.to_string(), value.to_string()));
        } else {
            panic!("GITHUB_OUTPUT line the runner cannot read: {line:?}");
        }
    }
    outputs
}

/// The outputs by name (a later value of the same name wins, as on the runner).
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    parse_output_file(text).into_iter().collect()
}

/// Every workflow command the runner would process in `out` (stdout or stderr, which it reads
/// the same way), `::stop-commands::` lines included: a line whose start (after white space) is
/// `::` is a command, except inside a `::stop-commands::TOKEN` … `::TOKEN::` region. The legacy
/// form `##[name]…` counts anywhere in a line, and, to be safe, inside such regions too.
fn runner_commands(out: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut stopped: Option<String> = None;
    for line in out.lines() {
        if let Some(at) = line.find("##[") {
            seen.push(line[at..].to_string());
        }
        let trimmed = line.trim_start();
        if let Some(token) = &stopped {
            if trimmed == format!("::{token}::") {
                stopped = None;
            }
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("::stop-commands::") {
            stopped = Some(rest.to_string());
        }
        if trimmed.starts_with("::") {
            seen.push(trimmed.to_string());
        }
    }
    seen
}

/// The runner's view of stdout: the workflow commands it would execute (see
/// [`runner_commands`]), without the `::stop-commands::` lines that open regions.
pub fn commands_seen(stdout: &str) -> Vec<String> {
    runner_commands(stdout)
        .into_iter()
        .filter(|c| !c.starts_with("::stop-commands::"))
        .collect()
}

/// Workflow-command look-alikes, one per line, for untrusted text (titles, messages, logs, API
/// texts): every form the runner reads (`::` at a line start, after white space too, legacy
/// `##[` anywhere in a line, a `::stop-commands::` of its own), each marked `FORGED`.
pub const LOOK_ALIKES: &[&str] = &[
    "::add-mask::FORGED-mask",
    "##[add-mask]FORGED-legacy-mask",
    "   ::set-output name=result::FORGED",
    "::stop-commands::FORGEDTOKEN",
    "::error title=FORGED::forged error",
    "::warning title=FORGED::forged warning",
    "::FORGEDTOKEN::",
    "::group::FORGED group",
    "::endgroup::",
    "::debug::FORGED",
    "text before ##[set-env name=FORGED;]value",
    "EADDRINUSE ##[add-mask]FORGED-in-a-finding",
    "Authentication error ::add-mask::FORGED-mid-line",
];

/// The look-alikes as one multi-line text.
pub fn look_alike_text() -> String {
    LOOK_ALIKES.join("\n")
}

/// Fails when the runner, reading `out` (stdout or stderr), would run a command that came from
/// untrusted text: any legacy `##[` command, a `::stop-commands::` that is not the gate's own
/// (a random 32-hex token), or a command marked `FORGED` (see [`LOOK_ALIKES`]). Commands the gate
/// writes itself (annotations whose title it chose, groups) pass.
pub fn assert_no_forged_commands(what: &str, out: &str) {
    for command in runner_commands(out) {
        let forged = if let Some(token) = command.strip_prefix("::stop-commands::") {
            token.len() != 32 || !token.chars().all(|c| c.is_ascii_hexdigit())
        } else if let Some(rest) = command.strip_prefix("::") {
            let name = &rest[..rest.find([' ', ':']).unwrap_or(rest.len())];
            // A forged annotation carries its own properties; the gate's carry untrusted text
            // only escaped, after properties it chose.
            !["error", "warning", "notice", "group", "endgroup"].contains(&name)
                || rest.starts_with(&format!("{name} title=FORGED"))
                || rest.starts_with("group::FORGED")
        } else {
            true
        };
        assert!(
            !forged,
            "{what}: command from untrusted text: {command:?}\n{out}"
        );
    }
}

/// Fails unless the look-alikes reached the output (so the check means something) and none of
/// them became a command, in stdout or stderr.
pub fn assert_echoed_safely(what: &str, stdout: &str, stderr: &str) {
    assert!(
        stdout.contains("FORGED") || stderr.contains("FORGED"),
        "{what}: the look-alikes were not echoed:\n{stdout}\n{stderr}"
    );
    assert_no_forged_commands(&format!("{what} stdout"), stdout);
    assert_no_forged_commands(&format!("{what} stderr"), stderr);
}
