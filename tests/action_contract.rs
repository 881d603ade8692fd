//! The contract between `action.yml`, the Dockerfile, the example workflow and the binary.
//!
//! `action.yml` must declare every input and output of DESIGN.md section 3, and the binary must
//! honour it: run with exactly the environment the runner gives a Docker action (`INPUT_*` from
//! the declared defaults, the `GITHUB_*` variables, the workspace, the file-command files), it
//! reads every declared input, writes every declared output on a PASS run, and writes nothing
//! undeclared: no other output, no other file command, no file in the workspace.
//!
//! Which inputs each command reads is observed, not assumed: every input is read through
//! `itm_gate::settings::setting`, which records the names a thread asks for
//! (`settings::inputs_read`); each command's settings are resolved here, in process, and what
//! they read is held against the code's table of inputs (`settings::INPUTS`), which is held
//! against `action.yml`.

mod common;

use common::parse_output_file;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde::Deserialize;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Report fixtures of a green run of the users' suite (tests/fixtures/reports/README.md): the
/// first one present is used.
const GREEN_REPORT_CANDIDATES: &[&str] = &["tests/fixtures/reports/playwright-1.58.2/green.json"];

/// The console log of that same run.
const GREEN_LOG: &str = "tests/fixtures/reports/playwright-1.58.2/green.log";

const FAKE_TOKEN: &str = "ghs_contractTestToken0123456789abcdefABCDEF";
const SHA: &str = "0123456789abcdef0123456789abcdef01234567";
const RUN_ID: &str = "21876543210";
const REPOSITORY: &str = "n8kahl/ITM-gd";
const SERVER_URL: &str = "https://github.com";
const BACKEND_URL: &str = "https://staging-api.example.test";
const REQUIRED_SPECS: [&str; 2] = [
    "e2e/specs/ai-coach/ai-coach-api.spec.ts",
    "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts",
];

// ----- action.yml ---------------------------------------------------------------------------

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    name: String,
    description: String,
    author: String,
    branding: Branding,
    inputs: BTreeMap<String, Input>,
    outputs: BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Branding {
    icon: String,
    color: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    description: String,
    required: Option<bool>,
    default: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Output {
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Runs {
    using: String,
    image: String,
    args: Option<Vec<String>>,
    env: Option<BTreeMap<String, String>>,
    entrypoint: Option<String>,
}

fn action() -> Action {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml parses as action metadata")
}

/// The items of a multi-line value (an input, a `with:` path list): its non-empty lines, trimmed.
fn item_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The commands an input is used by, from its description ("Used only by `preflight` …").
fn used_by(input: &Input) -> BTreeSet<&'static str> {
    let description = &input.description;
    match description.split_once("Used only by") {
        None => BTreeSet::from(["gate"]),
        Some((_, rest)) => {
            let clause = rest.split(':').next().unwrap_or("");
            ["preflight", "readiness"]
                .into_iter()
                .filter(|command| clause.contains(&format!("`{command}`")))
                .collect()
        }
    }
}

const DESIGN_INPUTS: &[&str] = &[
    "results",
    "specs",
    "test-dir",
    "strict",
    "allow-skip",
    "flaky",
    "logs",
    "log-rules",
    "backend-url",
    "job-status",
    "status-file",
    "commit",
    "branch",
    "token",
    "timezone",
    "fail-on-gate",
    "evidence-file",
    "dry-run",
    "report-url",
];

const PREFLIGHT_READINESS_INPUTS: &[&str] = &[
    "repository",
    "workflow",
    "secrets",
    "optional-secrets",
    "migrations-dir",
    "base-branch",
    "blocking-labels",
];

const DESIGN_OUTPUTS: &[&str] = &[
    "result",
    "reasons",
    "evidence",
    "specs",
    "passed",
    "failed",
    "flaky",
    "skipped",
    "findings",
    "commit-sha",
    "commit-url",
    // Section 7: outputs say what was left out to stay within GitHub's 1 MB limit.
    "specs-omitted",
    "findings-omitted",
];

#[test]
fn declares_every_input_of_the_design_and_nothing_else() {
    let action = action();
    let declared: BTreeSet<&str> = action.inputs.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = DESIGN_INPUTS
        .iter()
        .chain(PREFLIGHT_READINESS_INPUTS)
        .chain(&["command"])
        .copied()
        .collect();
    assert_eq!(declared, expected);
    for (name, input) in &action.inputs {
        assert!(
            input.description.trim().len() > 10,
            "input `{name}` needs a description"
        );
        assert_ne!(
            input.required,
            Some(true),
            "input `{name}` has a default; not required"
        );
        assert!(
            input.default.is_some(),
            "input `{name}` needs a default (may be empty)"
        );
    }
}

#[test]
fn defaults_are_the_designs() {
    let action = action();
    let default = |name: &str| action.inputs[name].default.clone().unwrap_or_default();
    let lines = |name: &str| item_lines(&default(name));
    assert_eq!(default("command"), "gate");
    assert_eq!(default("results"), "test-results/results.json");
    assert_eq!(lines("specs"), REQUIRED_SPECS);
    assert_eq!(default("test-dir"), "");
    assert_eq!(default("strict"), "true");
    assert_eq!(default("flaky"), "pass");
    assert_eq!(default("logs"), "");
    assert_eq!(default("log-rules"), "");
    assert_eq!(default("backend-url"), "");
    assert_eq!(default("job-status"), "${{ job.status }}");
    assert_eq!(
        default("status-file"),
        "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md"
    );
    assert_eq!(default("commit"), "on-success");
    assert_eq!(default("branch"), "");
    assert_eq!(default("token"), "${{ github.token }}");
    assert_eq!(default("timezone"), "America/New_York");
    assert_eq!(default("fail-on-gate"), "true");
    assert_eq!(default("evidence-file"), "");
    assert_eq!(default("dry-run"), "false");
    assert_eq!(default("report-url"), "");

    // allow-skip: regular expressions that accept exactly the two WebSocket capability probes
    // of DESIGN.md section 2, and not the strict-mode skips.
    let allow: Vec<regex::Regex> = lines("allow-skip")
        .iter()
        .map(|r| regex::Regex::new(r).expect("allow-skip default is a valid regex"))
        .collect();
    assert_eq!(allow.len(), 2);
    let allowed = |reason: &str| allow.iter().any(|r| r.is_match(reason));
    assert!(allowed(
        "Live backend websocket auth gate is not yet enforced at https://x.test"
    ));
    assert!(allowed(
        "Live backend websocket authz capability not yet deployed at https://x.test"
    ));
    assert!(!allowed("Live backend not healthy at https://x.test"));
    assert!(!allowed(
        "Live backend database/service-role prerequisites are not ready for authenticated E2E"
    ));
    assert!(!allowed("Live auth bypass preflight failed: status 401"));
    assert!(!allowed(
        "Set E2E_AI_COACH_MODE=live to run backend-integrated AI Coach API checks"
    ));
}

/// action.yml's defaults are the binary's own, so a local run without flags and a workflow
/// run with the defaults decide the same way.
#[test]
fn defaults_match_the_binarys_own() {
    use itm_gate::{config, preflight, readiness};
    let action = action();
    let lines = |name: &str| item_lines(action.inputs[name].default.as_deref().unwrap_or(""));
    let trimmed =
        |values: &[&str]| -> Vec<String> { values.iter().map(|v| v.trim().to_string()).collect() };
    assert_eq!(lines("results"), [config::DEFAULT_RESULTS]);
    assert_eq!(lines("specs"), trimmed(&config::DEFAULT_SPECS));
    assert_eq!(lines("allow-skip"), trimmed(&config::DEFAULT_ALLOW_SKIP));
    assert_eq!(lines("status-file"), [config::DEFAULT_STATUS_FILE]);
    assert_eq!(lines("status-file"), [readiness::DEFAULT_STATUS_FILE]);
    assert_eq!(lines("timezone"), [config::DEFAULT_TIMEZONE]);
    assert_eq!(lines("workflow"), [preflight::DEFAULT_WORKFLOW]);
    assert_eq!(lines("secrets"), trimmed(&preflight::DEFAULT_SECRETS));
    assert_eq!(
        lines("optional-secrets"),
        trimmed(&preflight::DEFAULT_OPTIONAL_SECRETS)
    );
    assert_eq!(lines("migrations-dir"), [preflight::DEFAULT_MIGRATIONS_DIR]);
    assert_eq!(
        lines("blocking-labels"),
        trimmed(&readiness::DEFAULT_BLOCKING_LABELS)
    );
}

#[test]
fn preflight_and_readiness_inputs_say_which_command_uses_them() {
    let action = action();
    for name in PREFLIGHT_READINESS_INPUTS {
        let input = &action.inputs[*name];
        let commands = used_by(input);
        assert!(
            !commands.is_empty() && !commands.contains("gate"),
            "input `{name}` must say `Used only by `preflight`/`readiness``: {:?}",
            input.description
        );
    }
    for name in DESIGN_INPUTS {
        assert_eq!(
            used_by(&action.inputs[*name]),
            BTreeSet::from(["gate"]),
            "input `{name}`"
        );
    }
    assert!(action.inputs["command"].description.contains("`preflight`"));
    assert!(action.inputs["command"].description.contains("`readiness`"));
}

#[test]
fn declares_every_output_of_the_design() {
    let action = action();
    let declared: BTreeSet<&str> = action.outputs.keys().map(String::as_str).collect();
    assert_eq!(declared, DESIGN_OUTPUTS.iter().copied().collect());
    for (name, output) in &action.outputs {
        assert!(
            !output.description.trim().is_empty(),
            "output `{name}` needs a description"
        );
    }
}

#[test]
fn runs_the_prebuilt_image_with_inputs_from_the_environment() {
    let action = action();
    assert!(!action.name.is_empty() && !action.description.is_empty() && !action.author.is_empty());
    assert!(!action.branding.icon.is_empty() && !action.branding.color.is_empty());
    assert_eq!(action.runs.using, "docker");
    assert!(
        action.runs.image.starts_with(&format!("docker://{IMAGE}")),
        "runs.image must be the published image: {}",
        action.runs.image
    );
    // The binary reads INPUT_* itself and chooses the command from `command`: no arguments,
    // no environment mapping and no entrypoint override that could drift from the inputs.
    assert!(
        action.runs.args.is_none(),
        "no args: the binary reads INPUT_*"
    );
    assert!(action.runs.env.is_none());
    assert!(action.runs.entrypoint.is_none());
}

/// The published image the action runs.
const IMAGE: &str = "ghcr.io/n8kahl/itm-gate-action";

/// The version `X.Y.Z[-pre]` that the `image:` line of action.yml pins: on `main`,
/// `  image: docker://IMAGE:vX.Y.Z[-pre]`; on a release commit, the digest the release pushed
/// with the version in a comment, `  image: docker://IMAGE@sha256:<digest> # vX.Y.Z[-pre]`.
/// `None` for anything that moves (`:v1`, `:v1.2`, `:latest`, no tag) or another image.
fn pinned_image_version(line: &str) -> Option<&str> {
    let pinned = regex::Regex::new(
        r"^  image: docker://ghcr\.io/n8kahl/itm-gate-action(?::v([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?)|@sha256:[0-9a-f]{64} # v([0-9]+\.[0-9]+\.[0-9]+(?:-[0-9A-Za-z.-]+)?))$",
    )
    .unwrap();
    let captures = pinned.captures(line)?;
    Some(captures.get(1).or_else(|| captures.get(2))?.as_str())
}

/// Issue 14: `@v1.2.3` must pin the binary. action.yml names the image of its own version
/// (Cargo.toml's), never a tag that moves; the release workflow pushes exactly that tag, checks
/// this line, and rewrites it to the pushed digest on the release commit.
#[test]
fn the_image_is_the_pinned_release_of_this_version() {
    let text = std::fs::read_to_string(Path::new(ROOT).join("action.yml")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("image:"))
        .collect();
    assert_eq!(lines.len(), 1, "one image line: {lines:?}");
    assert_eq!(
        pinned_image_version(lines[0]),
        Some(env!("CARGO_PKG_VERSION")),
        "action.yml must run docker://{IMAGE}:v{} (Cargo.toml's version; the two change \
         together when a release is cut), not {:?}",
        env!("CARGO_PKG_VERSION"),
        lines[0]
    );
    assert!(
        action()
            .runs
            .image
            .starts_with(&format!("docker://{IMAGE}"))
    );
    let release =
        std::fs::read_to_string(Path::new(ROOT).join(".github/workflows/release.yml")).unwrap();
    assert!(release.contains(&format!("IMAGE: {IMAGE}")));
    assert!(release.contains(r#"grep -qxF "  image: docker://$IMAGE:$tag" action.yml"#));
    assert!(release.contains(r#"pinned="  image: docker://$IMAGE@$DIGEST # $VERSION""#));
}

#[test]
fn only_pinned_release_images_are_accepted() {
    let digest = "0123456789abcdef".repeat(4);
    let image = "  image: docker://ghcr.io/n8kahl/itm-gate-action";
    for (line, version) in [
        (format!("{image}:v1.2.3"), Some("1.2.3")),
        (format!("{image}:v1.3.0-rc.1"), Some("1.3.0-rc.1")),
        (format!("{image}@sha256:{digest} # v1.2.3"), Some("1.2.3")),
        (format!("{image}@sha256:{digest}"), None),
        (format!("{image}:v1.2.3@sha256:{digest}"), None),
        (format!("{image}:v1"), None),
        (format!("{image}:v1.2"), None),
        (format!("{image}:latest"), None),
        (image.to_string(), None),
        (
            "  image: docker://ghcr.io/someone/else:v1.2.3".to_string(),
            None,
        ),
        ("  image: Dockerfile".to_string(), None),
    ] {
        assert_eq!(pinned_image_version(&line), version, "{line}");
    }
}

// ----- Dockerfile ---------------------------------------------------------------------------

/// The Dockerfile's instructions, continuation lines joined, comments and blank lines dropped.
fn dockerfile_instructions(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
    text.replace("\\\n", " ")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

/// Issue 14: the image is assembled from a prebuilt static binary and a CA bundle in the
/// build context, so podman here and buildx in the release build it from the same file, with
/// no base image to pull and nothing compiled inside.
#[test]
fn the_image_is_assembled_from_prebuilt_files_runs_as_root_and_starts_the_binary() {
    let instructions = dockerfile_instructions("Dockerfile");
    let froms: Vec<&String> = instructions
        .iter()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(froms, ["FROM scratch"], "one stage, from scratch");
    for forbidden in ["USER ", "RUN ", "CMD ", "ADD "] {
        assert!(
            !instructions.iter().any(|l| l.starts_with(forbidden)),
            "no {forbidden}: GitHub runs container actions as root, nothing is built or \
             fetched in the image, and the action runs the binary without arguments"
        );
    }
    let has = |line: &str| instructions.iter().any(|l| l == line);
    assert!(has("ARG TARGETARCH"), "buildx and podman name the platform");
    assert!(has("COPY dist/${TARGETARCH}/itm-gate /itm-gate"));
    assert!(has(
        "COPY dist/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt"
    ));
    assert!(has("ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"));
    assert!(has(r#"ENTRYPOINT ["/itm-gate"]"#));

    // The context is the prebuilt files only.
    let ignore = std::fs::read_to_string(Path::new(ROOT).join(".dockerignore")).unwrap();
    let rules: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert_eq!(
        rules,
        ["*", "!dist/ca-certificates.crt", "!dist/*/itm-gate"],
        ".dockerignore keeps the context to dist/"
    );
}

// ----- the users' example workflow ------------------------------------------------------------

fn yaml(path: &str) -> serde_yaml::Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// The users' two-job workflow and its sharded variant.
const EXAMPLES: [&str; 2] = [
    "examples/ai-coach-live-e2e.yml",
    "examples/ai-coach-live-e2e-sharded.yml",
];

/// How the examples run the action.
const GATE_USES: &str = "n8kahl/itm-gate-action@v1";

/// The spec the users deleted from the suite after the runbook was written (DESIGN.md section 2).
const DELETED_SPEC: &str = "e2e/specs/ai-coach/ai-coach-workflow-live.spec.ts";

fn steps(job: &serde_yaml::Value) -> &[serde_yaml::Value] {
    job["steps"].as_sequence().map(Vec::as_slice).unwrap_or(&[])
}

fn uses(step: &serde_yaml::Value) -> &str {
    step["uses"].as_str().unwrap_or("")
}

/// `permissions` of a job or workflow as `scope -> level`.
fn permissions(node: &serde_yaml::Value) -> BTreeMap<String, String> {
    node["permissions"]
        .as_mapping()
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let text = |v: &serde_yaml::Value| v.as_str().unwrap_or("").to_string();
                    (text(k), text(v))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// An example's two jobs: the tests (named in the gate job's `needs`) and the gate.
struct ExampleJobs {
    tests_name: String,
    tests: serde_yaml::Value,
    gate: serde_yaml::Value,
    gate_step: serde_yaml::Value,
}

fn example_jobs(path: &str) -> ExampleJobs {
    let workflow = yaml(path);
    let jobs = workflow["jobs"].as_mapping().expect("jobs");
    let (gate, gate_step) = jobs
        .values()
        .find_map(|job| {
            let step = steps(job).iter().find(|s| uses(s) == GATE_USES)?;
            Some((job.clone(), step.clone()))
        })
        .unwrap_or_else(|| panic!("{path}: a job uses {GATE_USES}"));
    let tests_name = gate["needs"]
        .as_str()
        .unwrap_or_else(|| panic!("{path}: the gate job needs the tests job"))
        .to_string();
    let tests = workflow["jobs"][tests_name.as_str()].clone();
    assert!(tests.is_mapping(), "{path}: no job {tests_name}");
    ExampleJobs {
        tests_name,
        tests,
        gate,
        gate_step,
    }
}

/// The paths an `actions/upload-artifact` step uploads, one per line.
fn upload_paths(step: &serde_yaml::Value) -> Vec<String> {
    item_lines(step["with"]["path"].as_str().unwrap_or(""))
}

/// Issue 14, point 5: the job that installs and runs the users' code can only read; the job
/// that can write runs nothing but the artifact download and the gate.
#[test]
fn the_examples_give_write_access_only_to_the_gate_job() {
    let action = action();
    for path in EXAMPLES {
        let workflow = yaml(path);
        assert!(
            workflow["permissions"]
                .as_mapping()
                .is_some_and(serde_yaml::Mapping::is_empty),
            "{path}: the workflow grants nothing by default (`permissions: {{}}`)"
        );
        let jobs = example_jobs(path);
        let tests = &jobs.tests;
        assert_eq!(
            permissions(tests),
            BTreeMap::from([("contents".to_string(), "read".to_string())]),
            "{path}: the tests job only reads"
        );
        assert_eq!(tests["timeout-minutes"].as_u64(), Some(45), "{path}");
        assert_eq!(tests["env"]["E2E_AI_COACH_MODE"].as_str(), Some("live"));
        assert_eq!(
            tests["env"]["E2E_AI_COACH_REQUIRE_LIVE"].as_str(),
            Some("true")
        );
        let checkout = steps(tests)
            .iter()
            .find(|s| uses(s).starts_with("actions/checkout@"))
            .unwrap_or_else(|| panic!("{path}: the tests job checks out"));
        assert_eq!(
            checkout["with"]["persist-credentials"].as_bool(),
            Some(false),
            "{path}: checkout must not leave its token in .git/config"
        );
        let node = steps(tests)
            .iter()
            .find(|s| uses(s).starts_with("actions/setup-node@"))
            .unwrap_or_else(|| panic!("{path}: setup-node"));
        assert_eq!(node["with"]["node-version"].as_u64(), Some(22), "{path}");

        let run = steps(tests)
            .iter()
            .filter_map(|s| s["run"].as_str())
            .find(|r| r.contains("pnpm test:e2e:ai-coach-live"))
            .unwrap_or_else(|| panic!("{path}: the tests run the users' own command"));
        assert!(
            run.contains("set -o pipefail"),
            "{path}: keeps the exit status"
        );
        assert!(!run.contains(DELETED_SPEC), "{path}: names a deleted spec");
        let log = run
            .split("tee ")
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .map(str::trim)
            .unwrap_or_else(|| panic!("{path}: the test output is teed to a log"));
        assert!(
            !log.starts_with("test-results/"),
            "{path}: Playwright empties test-results/ when it starts; the log must live elsewhere"
        );

        let uploads: Vec<&serde_yaml::Value> = steps(tests)
            .iter()
            .filter(|s| uses(s) == "actions/upload-artifact@v4")
            .collect();
        let uploaded: Vec<String> = uploads.iter().flat_map(|s| upload_paths(s)).collect();
        for wanted in ["playwright-report/", "test-results/", "e2e-logs/"] {
            assert!(
                uploaded.iter().any(|p| p == wanted),
                "{path}: {wanted} is uploaded: {uploaded:?}"
            );
        }
        for upload in &uploads {
            assert_eq!(
                upload["if"].as_str(),
                Some("${{ !cancelled() }}"),
                "{path}: reports are uploaded when the tests failed too"
            );
        }

        let gate = &jobs.gate;
        assert_eq!(
            gate["if"].as_str(),
            Some("${{ !cancelled() }}"),
            "{path}: the gate runs after failed tests, not after a cancelled run"
        );
        assert_eq!(
            permissions(gate),
            BTreeMap::from([("contents".to_string(), "write".to_string())]),
            "{path}: the gate job may write contents, nothing else"
        );
        for step in steps(gate) {
            assert!(
                step["run"].is_null()
                    && (uses(step) == GATE_USES || uses(step) == "actions/download-artifact@v4"),
                "{path}: the job with the write token runs only the download and the gate: {step:?}"
            );
        }
        let with = jobs.gate_step["with"].as_mapping().unwrap();
        for key in with.keys() {
            let key = key.as_str().unwrap();
            assert!(
                action.inputs.contains_key(key),
                "{path}: passes undeclared input `{key}`"
            );
        }
        let with = &jobs.gate_step["with"];
        assert_eq!(
            with["job-status"].as_str(),
            Some(format!("${{{{ needs.{}.result }}}}", jobs.tests_name).as_str()),
            "{path}: the gate reads the tests job's result"
        );
        let specs = item_lines(
            with["specs"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: specs are set explicitly")),
        );
        assert_eq!(specs, ["e2e/specs/ai-coach/ai-coach-api.spec.ts"], "{path}");
        let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
        assert!(
            text.contains(&format!("# The runbook's second spec, {DELETED_SPEC}, has")),
            "{path}: a comment says why the runbook's second spec is not required"
        );
        assert!(
            !text.contains("always()"),
            "{path}: `always()` runs after a cancel too"
        );
        // What the gate reads is what the tests uploaded.
        let logs = with["logs"].as_str().unwrap();
        assert!(
            uploaded.iter().any(|p| logs.starts_with(p.as_str())),
            "{path}: the gate's logs {logs} are uploaded"
        );
        assert!(
            logs.contains(&log.replace("${{ matrix.shard }}", "*")),
            "{path}: the gate scans the teed log {log}"
        );
        let results = with["results"].as_str().unwrap();
        assert!(
            uploaded.iter().any(|p| results.starts_with(p.as_str())),
            "{path}: the gate's results {results} are uploaded"
        );
    }
}

/// The simple example: one artifact, downloaded by name; the HTML report's `artifact-url`
/// reaches the gate's `report-url` through the tests job's outputs.
#[test]
fn the_example_hands_the_reports_and_the_report_url_to_the_gate() {
    let path = EXAMPLES[0];
    let jobs = example_jobs(path);
    let uploads: Vec<&serde_yaml::Value> = steps(&jobs.tests)
        .iter()
        .filter(|s| uses(s) == "actions/upload-artifact@v4")
        .collect();
    let download = steps(&jobs.gate)
        .iter()
        .find(|s| uses(s) == "actions/download-artifact@v4")
        .expect("the gate job downloads the reports");
    let name = download["with"]["name"].as_str().expect("by name");
    let results_upload = uploads
        .iter()
        .find(|s| s["with"]["name"].as_str() == Some(name))
        .expect("the downloaded artifact is uploaded by the tests job");
    assert!(upload_paths(results_upload).contains(&"test-results/results.json".to_string()));
    assert_eq!(
        jobs.gate_step["with"]["results"].as_str(),
        Some("test-results/results.json")
    );

    let report_url = jobs.gate_step["with"]["report-url"]
        .as_str()
        .expect("report-url is set");
    let output = report_url
        .strip_prefix(&format!("${{{{ needs.{}.outputs.", jobs.tests_name))
        .and_then(|r| r.strip_suffix(" }}"))
        .unwrap_or_else(|| panic!("report-url comes from the tests job's outputs: {report_url}"));
    let value = jobs.tests["outputs"][output].as_str().expect("the output");
    let step_id = value
        .strip_prefix("${{ steps.")
        .and_then(|r| r.strip_suffix(".outputs.artifact-url }}"))
        .unwrap_or_else(|| panic!("the output is an upload's artifact-url: {value}"));
    let html = uploads
        .iter()
        .find(|s| s["id"].as_str() == Some(step_id))
        .expect("the step with that id is an upload");
    assert!(upload_paths(html).contains(&"playwright-report/".to_string()));
}

/// The sharded example: N matrix jobs each run `--shard=i/N` and upload their JSON report
/// under their own name; the gate job downloads them all and reads them as one run.
#[test]
fn the_sharded_example_gates_all_shards_as_one_run() {
    let path = EXAMPLES[1];
    let jobs = example_jobs(path);
    let strategy = &jobs.tests["strategy"];
    assert_eq!(
        strategy["fail-fast"].as_bool(),
        Some(false),
        "every shard runs to the end"
    );
    let shards: Vec<u64> = strategy["matrix"]["shard"]
        .as_sequence()
        .expect("a shard matrix")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let total = shards.len() as u64;
    assert!(total > 1);
    assert_eq!(shards, (1..=total).collect::<Vec<_>>());
    let run = steps(&jobs.tests)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .find(|r| r.contains("pnpm test:e2e:ai-coach-live"))
        .unwrap();
    assert!(
        run.contains(&format!("--shard=${{{{ matrix.shard }}}}/{total}")),
        "{run}"
    );

    let upload_names: Vec<&str> = steps(&jobs.tests)
        .iter()
        .filter(|s| uses(s) == "actions/upload-artifact@v4")
        .filter_map(|s| s["with"]["name"].as_str())
        .collect();
    assert!(
        upload_names
            .iter()
            .all(|n| n.contains("${{ matrix.shard }}")),
        "each shard uploads under its own name: {upload_names:?}"
    );
    let download = steps(&jobs.gate)
        .iter()
        .find(|s| uses(s) == "actions/download-artifact@v4")
        .expect("the gate job downloads the reports");
    let pattern = download["with"]["pattern"].as_str().expect("by pattern");
    assert_eq!(download["with"]["merge-multiple"].as_bool(), Some(true));
    let prefix = pattern.strip_suffix('*').expect("pattern ends with *");
    let matching: Vec<&&str> = upload_names
        .iter()
        .filter(|n| n.replace("${{ matrix.shard }}", "1").starts_with(prefix))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "the pattern takes the JSON reports only: {matching:?}"
    );
    let results = jobs.gate_step["with"]["results"].as_str().unwrap();
    assert!(
        results.contains('*'),
        "the gate reads every shard: {results}"
    );
}

// ----- the release and the self-test ----------------------------------------------------------

/// The jobs of a workflow in the repository, by id.
fn workflow_jobs(path: &str) -> serde_yaml::Mapping {
    yaml(path)["jobs"].as_mapping().expect("jobs").clone()
}

/// A job's `needs`, as a list.
fn needs(job: &serde_yaml::Value) -> Vec<String> {
    match &job["needs"] {
        serde_yaml::Value::String(one) => vec![one.clone()],
        serde_yaml::Value::Sequence(many) => many
            .iter()
            .filter_map(|n| n.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

/// All `run:` scripts of a job, joined.
fn scripts(job: &serde_yaml::Value) -> String {
    steps(job)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Issue 14, point 3: each architecture's binary is built with cargo on its own runner (no
/// QEMU), run on fixtures, assembled into one image, pushed, pulled without logging in, and only
/// then is the release tagged and the major tag moved.
#[test]
fn the_release_builds_natively_checks_the_anonymous_pull_then_moves_the_major_tag() {
    let path = ".github/workflows/release.yml";
    let text = std::fs::read_to_string(Path::new(ROOT).join(path)).unwrap();
    assert!(!text.contains("setup-qemu-action"), "no emulated builds");
    let jobs = workflow_jobs(path);
    let job = |id: &str| -> &serde_yaml::Value {
        jobs.get(id).unwrap_or_else(|| panic!("{path}: job `{id}`"))
    };

    let binaries = job("binaries");
    let runners: BTreeSet<&str> = binaries["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("a matrix of runners")
        .iter()
        .filter_map(|i| i["runner"].as_str())
        .collect();
    assert_eq!(
        runners,
        BTreeSet::from(["ubuntu-latest", "ubuntu-24.04-arm"])
    );
    assert!(
        scripts(binaries).contains("bash .ci/static-binary.sh dist"),
        "the binaries are built and run on fixtures by .ci/static-binary.sh"
    );

    let image = job("image");
    assert!(needs(image).contains(&"binaries".to_string()));
    let builds: Vec<&serde_yaml::Value> = steps(image)
        .iter()
        .filter(|s| uses(s).starts_with("docker/build-push-action@"))
        .collect();
    assert!(!builds.is_empty());
    for build in &builds {
        assert_eq!(
            build["with"]["context"].as_str(),
            Some("."),
            "the repository's Dockerfile"
        );
        assert!(build["with"]["file"].is_null());
    }
    assert!(builds.iter().any(|b| {
        b["with"]["push"].as_bool() == Some(true)
            && b["with"]["platforms"].as_str() == Some("linux/amd64,linux/arm64")
    }));

    let public = job("public");
    assert!(needs(public).contains(&"image".to_string()));
    let pull = scripts(public);
    for command in ["docker logout", "docker manifest inspect", "docker pull"] {
        assert!(
            pull.contains(command),
            "{path}: the public check runs `{command}`"
        );
    }
    assert!(
        !steps(public)
            .iter()
            .any(|s| uses(s).starts_with("docker/login-action@")),
        "{path}: the public check does not log in"
    );

    let publish = job("publish");
    assert!(needs(publish).contains(&"public".to_string()));
    let moving: Vec<&str> = jobs
        .iter()
        .filter(|(_, j)| scripts(j).contains(r#"refs/tags/$MAJOR"#))
        .filter_map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(moving, ["publish"], "only the last job moves the major tag");
    assert_eq!(
        jobs.iter()
            .filter(|(_, j)| permissions(j).get("contents").map(String::as_str) == Some("write"))
            .count(),
        1,
        "one job may write to the repository"
    );
}

/// Issue 14, point 4: the runner itself builds the image from the Dockerfile and runs the action
/// with `uses: ./` on fixtures: a PASS whose outputs a later step checks, and a FAIL that must
/// fail its step.
#[test]
fn the_self_test_runs_the_action_from_the_dockerfile() {
    let path = ".github/workflows/self-test.yml";
    let jobs = workflow_jobs(path);
    let job = jobs.values().next().expect("a job");
    let all = steps(job);
    assert!(scripts(job).contains("bash .ci/static-binary.sh dist"));
    assert!(
        scripts(job).contains("sed -i 's|^  image: docker://.*$|  image: Dockerfile|' action.yml"),
        "{path}: action.yml is pointed at the Dockerfile"
    );
    let local: Vec<(usize, &serde_yaml::Value)> = all
        .iter()
        .enumerate()
        .filter(|(_, s)| uses(s) == "./")
        .collect();
    assert_eq!(local.len(), 2, "{path}: a PASS and a FAIL case");
    let later_reads = |at: usize, what: &str| {
        all[at + 1..].iter().any(|s| {
            s["env"].as_mapping().is_some_and(|env| {
                env.values()
                    .any(|v| v.as_str().is_some_and(|v| v.contains(what)))
            })
        })
    };
    let (pass_at, pass) = local[0];
    let pass_id = pass["id"].as_str().unwrap();
    assert!(
        pass["continue-on-error"].is_null(),
        "the PASS case must pass"
    );
    assert!(later_reads(
        pass_at,
        &format!("steps.{pass_id}.outputs.result")
    ));
    let (fail_at, fail) = local[1];
    let fail_id = fail["id"].as_str().unwrap();
    assert_eq!(fail["continue-on-error"].as_bool(), Some(true));
    assert!(
        later_reads(fail_at, &format!("steps.{fail_id}.outcome")),
        "{path}: a later step checks that the FAIL case failed"
    );
    for (_, case) in local {
        let results = case["with"]["results"].as_str().unwrap();
        assert!(
            Path::new(ROOT).join(results).is_file(),
            "{results} is committed"
        );
    }
}

// ----- the binary in the runner's environment --------------------------------------------------

fn green_report() -> PathBuf {
    for candidate in GREEN_REPORT_CANDIDATES {
        let path = Path::new(ROOT).join(candidate);
        if path.is_file() {
            return path;
        }
    }
    let listing = std::fs::read_dir(Path::new(ROOT).join("tests/fixtures/reports"))
        .map(|dir| {
            dir.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_else(|err| format!("({err})"));
    panic!(
        "no green report fixture among {GREEN_REPORT_CANDIDATES:?}; tests/fixtures/reports has: {listing}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let entry = entry.unwrap();
            if entry.file_type().unwrap().is_dir() {
                stack.push(entry.path());
            } else {
                let relative = entry.path().strip_prefix(dir).unwrap().to_path_buf();
                files.insert(relative, std::fs::read(entry.path()).unwrap());
            }
        }
    }
    files
}

/// A local HTTP server standing for the GitHub API that answers every request with 401, so
/// that no run can reach the network and any API call fails at once.
fn unauthorized_api() -> String {
    use std::io::{BufRead, BufReader, Write};
    static API: OnceLock<String> = OnceLock::new();
    API.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                    if line == "\r\n" {
                        break;
                    }
                    line.clear();
                }
                let body = r#"{"message":"Bad credentials","status":"401"}"#;
                let _ = write!(
                    &stream,
                    "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        address
    })
    .clone()
}

/// The folders and files a Docker action step sees, in a temporary directory.
struct RunnerStep {
    _root: tempfile::TempDir,
    workspace: PathBuf,
    env: BTreeMap<String, String>,
}

/// What one run of the binary left behind.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    outputs: Vec<(String, String)>,
    summary: String,
    other_file_commands: Vec<(String, String)>,
    /// The `evidence-file` input, when set: the one file the run may add to the workspace.
    evidence_file: Option<String>,
    workspace_before: BTreeMap<PathBuf, Vec<u8>>,
    workspace_after: BTreeMap<PathBuf, Vec<u8>>,
}

impl Run {
    fn output(&self, name: &str) -> Option<&str> {
        self.outputs
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}\n--- outputs\n{:?}",
            self.code, self.stdout, self.stderr, self.outputs
        )
    }
}

impl RunnerStep {
    /// The environment of a Docker action step on a `workflow_dispatch` run of the users'
    /// workflow, before the report is placed: every declared input from its default (expressions evaluated as the runner
    /// would), the `GITHUB_*` and `RUNNER_*` variables, and the job's `env`.
    fn new(action: &Action) -> RunnerStep {
        let root = tempfile::tempdir().unwrap();
        let workspace = root.path().join("github/workspace");
        let file_commands = root.path().join("github/file_commands");
        let home = root.path().join("github/home");
        let workflow = root.path().join("github/workflow");
        for dir in [&workspace, &file_commands, &home, &workflow] {
            std::fs::create_dir_all(dir).unwrap();
        }

        // The workspace: a checkout of the users' repository after the Playwright run.
        copy_tree(
            &Path::new(ROOT).join("tests/playwright/project/e2e"),
            &workspace.join("e2e"),
        );
        std::fs::copy(
            Path::new(ROOT).join("tests/playwright/project/playwright.config.ts"),
            workspace.join("playwright.config.ts"),
        )
        .unwrap();
        std::fs::create_dir_all(workspace.join("docs/ai-coach")).unwrap();
        std::fs::copy(
            Path::new(ROOT).join("tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md"),
            workspace.join("docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md"),
        )
        .unwrap();

        let event = serde_json::json!({
            "inputs": { "backend_url": BACKEND_URL },
            "ref": "refs/heads/main",
            "repository": { "full_name": REPOSITORY, "default_branch": "main" },
            "sender": { "login": "n8kahl" },
            "workflow": ".github/workflows/ai-coach-live-e2e.yml"
        });
        let event_path = workflow.join("event.json");
        std::fs::write(&event_path, event.to_string()).unwrap();

        let mut env = BTreeMap::new();
        for (name, input) in &action.inputs {
            let value = match input.default.as_deref().unwrap_or("") {
                "${{ github.token }}" => FAKE_TOKEN.to_string(),
                "${{ job.status }}" => "success".to_string(),
                other => {
                    assert!(
                        !other.contains("${{"),
                        "input `{name}`: unknown expression {other}"
                    );
                    other.to_string()
                }
            };
            env.insert(itm_gate::runner::input_variable(name), value);
        }
        let path = |p: &Path| p.to_string_lossy().into_owned();
        let api = unauthorized_api();
        for (name, value) in [
            ("CI", "true".to_string()),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("HOME", path(&home)),
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string(),
            ),
            ("GITHUB_WORKSPACE", path(&workspace)),
            ("GITHUB_EVENT_PATH", path(&event_path)),
            ("GITHUB_EVENT_NAME", "workflow_dispatch".to_string()),
            ("GITHUB_SHA", SHA.to_string()),
            ("GITHUB_REF", "refs/heads/main".to_string()),
            ("GITHUB_REF_NAME", "main".to_string()),
            ("GITHUB_REF_TYPE", "branch".to_string()),
            ("GITHUB_REF_PROTECTED", "false".to_string()),
            ("GITHUB_HEAD_REF", String::new()),
            ("GITHUB_BASE_REF", String::new()),
            ("GITHUB_REPOSITORY", REPOSITORY.to_string()),
            ("GITHUB_REPOSITORY_OWNER", "n8kahl".to_string()),
            ("GITHUB_RUN_ID", RUN_ID.to_string()),
            ("GITHUB_RUN_NUMBER", "42".to_string()),
            ("GITHUB_RUN_ATTEMPT", "1".to_string()),
            ("GITHUB_JOB", "live-e2e".to_string()),
            ("GITHUB_WORKFLOW", "AI Coach Live E2E".to_string()),
            ("GITHUB_ACTION", "gate".to_string()),
            (
                "GITHUB_ACTION_REPOSITORY",
                "n8kahl/itm-gate-action".to_string(),
            ),
            ("GITHUB_ACTION_REF", "v1".to_string()),
            ("GITHUB_ACTOR", "n8kahl".to_string()),
            ("GITHUB_TRIGGERING_ACTOR", "n8kahl".to_string()),
            ("GITHUB_SERVER_URL", SERVER_URL.to_string()),
            ("GITHUB_API_URL", api.clone()),
            ("GITHUB_GRAPHQL_URL", format!("{api}/graphql")),
            ("GITHUB_RETENTION_DAYS", "90".to_string()),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_ARCH", "X64".to_string()),
            ("RUNNER_NAME", "GitHub Actions 1".to_string()),
            ("RUNNER_ENVIRONMENT", "github-hosted".to_string()),
            ("RUNNER_TEMP", path(&root.path().join("runner_temp"))),
            ("RUNNER_TOOL_CACHE", "/opt/hostedtoolcache".to_string()),
            ("RUNNER_WORKSPACE", "/home/runner/work/ITM-gd".to_string()),
            // The job's env (examples/ai-coach-live-e2e.yml), passed to container actions too.
            ("E2E_AI_COACH_MODE", "live".to_string()),
            ("E2E_AI_COACH_REQUIRE_LIVE", "true".to_string()),
            ("E2E_BACKEND_URL", BACKEND_URL.to_string()),
        ] {
            env.insert(name.to_string(), value);
        }
        for command in ["OUTPUT", "STEP_SUMMARY", "ENV", "PATH", "STATE"] {
            let file = file_commands.join(format!("{}_contract", command.to_lowercase()));
            std::fs::write(&file, "").unwrap();
            env.insert(format!("GITHUB_{command}"), path(&file));
        }
        std::fs::create_dir_all(root.path().join("runner_temp")).unwrap();
        RunnerStep {
            _root: root,
            workspace,
            env,
        }
    }

    /// Puts the green report where the `results` default expects it, as Playwright's JSON
    /// reporter leaves it.
    fn with_green_report(self) -> RunnerStep {
        std::fs::create_dir_all(self.workspace.join("test-results")).unwrap();
        std::fs::copy(
            green_report(),
            self.workspace.join("test-results/results.json"),
        )
        .unwrap();
        self
    }

    /// Configures the step as the gate step of `example`: its `with:` values over the
    /// defaults, with the expressions evaluated as on a green run, and the green run's console
    /// log where the example's gate reads it (every file its glob names).
    fn like_the_example(mut self, example: &str, logs: &[&str]) -> RunnerStep {
        let jobs = example_jobs(example);
        let needs = format!("needs.{}", jobs.tests_name);
        for (key, value) in jobs.gate_step["with"].as_mapping().unwrap() {
            let key = key.as_str().unwrap();
            let value = value.as_str().unwrap();
            let value = if value == "${{ inputs.backend_url }}" {
                BACKEND_URL.to_string()
            } else if value == format!("${{{{ {needs}.result }}}}") {
                "success".to_string()
            } else if value.starts_with(&format!("${{{{ {needs}.outputs.")) {
                format!("{SERVER_URL}/{REPOSITORY}/actions/runs/{RUN_ID}/artifacts/4242")
            } else if value.contains("${{ github.") {
                format!("{SERVER_URL}/{REPOSITORY}/actions/runs/{RUN_ID}")
            } else {
                assert!(
                    !value.contains("${{"),
                    "example input `{key}`: unknown expression {value}"
                );
                value.to_string()
            };
            if key == "logs" {
                for (i, source) in logs.iter().enumerate() {
                    let log = self
                        .workspace
                        .join(value.replace('*', &(i + 1).to_string()));
                    std::fs::create_dir_all(log.parent().unwrap()).unwrap();
                    std::fs::copy(Path::new(ROOT).join(source), &log).unwrap();
                }
            }
            self.set_input(key, &value);
        }
        self
    }

    /// Puts `reports` where a glob `results` input finds them, numbered from 1.
    fn with_reports(self, pattern: &str, reports: &[&str]) -> RunnerStep {
        for (i, source) in reports.iter().enumerate() {
            let target = self
                .workspace
                .join(pattern.replace('*', &(i + 1).to_string()));
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::copy(Path::new(ROOT).join(source), target).unwrap();
        }
        self
    }

    fn set_env(&mut self, name: &str, value: &str) {
        self.env.insert(name.to_string(), value.to_string());
    }

    fn set_input(&mut self, name: &str, value: &str) {
        self.env
            .insert(itm_gate::runner::input_variable(name), value.to_string());
    }

    /// Runs `itm-gate` with no arguments, in the workspace, with exactly this environment.
    fn run(&self) -> Run {
        let workspace_before = snapshot(&self.workspace);
        let output = Command::new(env!("CARGO_BIN_EXE_itm-gate"))
            .env_clear()
            .envs(&self.env)
            .current_dir(&self.workspace)
            .output()
            .expect("run itm-gate");
        let read_file = |var: &str| std::fs::read_to_string(&self.env[var]).unwrap_or_default();
        let other_file_commands = ["GITHUB_ENV", "GITHUB_PATH", "GITHUB_STATE"]
            .into_iter()
            .map(|var| (var.to_string(), read_file(var)))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            outputs: parse_output_file(&read_file("GITHUB_OUTPUT")),
            summary: read_file("GITHUB_STEP_SUMMARY"),
            other_file_commands,
            evidence_file: self
                .env
                .get(&itm_gate::runner::input_variable("evidence-file"))
                .filter(|v| !v.trim().is_empty())
                .cloned(),
            workspace_before,
            workspace_after: snapshot(&self.workspace),
        }
    }
}

fn assert_nothing_undeclared(action: &Action, run: &Run) {
    let declared: BTreeSet<&str> = action.outputs.keys().map(String::as_str).collect();
    for (name, _) in &run.outputs {
        assert!(
            declared.contains(name.as_str()),
            "undeclared output `{name}`\n{}",
            run.describe()
        );
    }
    assert!(
        run.other_file_commands.is_empty(),
        "the action must not set env, path or state: {:?}",
        run.other_file_commands
    );
    for deprecated in ["::set-output", "::save-state", "::set-env", "::add-path"] {
        assert!(
            !run.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(deprecated)),
            "deprecated workflow command {deprecated} on stdout"
        );
    }
    let asked_for = run.evidence_file.as_deref().map(PathBuf::from);
    let added: Vec<_> = run
        .workspace_after
        .keys()
        .filter(|p| !run.workspace_before.contains_key(*p) && Some(*p) != asked_for.as_ref())
        .collect();
    let changed: Vec<_> = run
        .workspace_before
        .iter()
        .filter(|(p, bytes)| run.workspace_after.get(*p) != Some(*bytes))
        .map(|(p, _)| p)
        .collect();
    assert!(
        added.is_empty() && changed.is_empty(),
        "the container runs as root: it must not leave files in the workspace unless asked \
         (evidence-file); added {added:?}, changed or removed {changed:?}"
    );
    let everything = format!(
        "{}{}{:?}{}",
        run.stdout, run.stderr, run.outputs, run.summary
    );
    assert!(
        !everything.contains(FAKE_TOKEN),
        "the token leaked into the output"
    );
}

#[test]
fn a_pass_run_writes_every_output_and_nothing_undeclared() {
    let action = action();
    let mut step = RunnerStep::new(&action).with_green_report();
    // No network: the evidence commit is off; everything else is the declared defaults.
    step.set_input("commit", "never");
    let run = step.run();

    assert_eq!(run.code, 0, "a green run passes\n{}", run.describe());
    assert_nothing_undeclared(&action, &run);

    let written: BTreeSet<&str> = run.outputs.iter().map(|(n, _)| n.as_str()).collect();
    let missing: Vec<&str> = DESIGN_OUTPUTS
        .iter()
        .copied()
        .filter(|n| !written.contains(n))
        .collect();
    assert!(
        missing.is_empty(),
        "outputs not written on PASS: {missing:?}\n{}",
        run.describe()
    );

    assert_eq!(run.output("result"), Some("PASS"));
    assert_eq!(run.output("reasons"), Some(""));
    assert_eq!(run.output("failed"), Some("0"));
    for count in ["passed", "failed", "flaky", "skipped"] {
        let value = run.output(count).unwrap_or_default();
        assert!(
            value.parse::<u64>().is_ok(),
            "output `{count}` is a count: {value:?}"
        );
    }
    assert!(
        run.output("passed")
            .unwrap_or_default()
            .parse::<u64>()
            .unwrap_or(0)
            > 0
    );
    let specs: serde_json::Value =
        serde_json::from_str(run.output("specs").unwrap_or_default()).expect("specs is JSON");
    let specs = specs.as_array().expect("specs is a JSON array");
    for required in REQUIRED_SPECS {
        let spec = specs
            .iter()
            .find(|s| s["file"] == required)
            .unwrap_or_else(|| panic!("specs output lists {required}: {specs:?}"));
        assert_eq!(spec["verdict"], "PASS");
        assert_eq!(spec["required"], true);
    }
    let findings: serde_json::Value =
        serde_json::from_str(run.output("findings").unwrap_or_default()).expect("findings is JSON");
    assert!(findings.is_array());
    assert_eq!(run.output("commit-sha"), Some(""), "no commit was made");
    assert_eq!(run.output("commit-url"), Some(""));

    let evidence = run.output("evidence").unwrap_or_default();
    assert!(
        evidence.starts_with("### Staging Live Gate Evidence"),
        "{evidence}"
    );
    assert!(evidence.contains(&format!("- Commit: {SHA}")), "{evidence}");
    assert!(
        evidence.contains(&format!(
            "- Workflow: {SERVER_URL}/{REPOSITORY}/actions/runs/{RUN_ID}"
        )),
        "{evidence}"
    );
    assert!(evidence.contains("- Result: PASS"), "{evidence}");
    assert!(
        run.summary.contains("PASS"),
        "the job summary shows the result"
    );
}

#[test]
fn a_failed_job_status_fails_the_gate_with_exit_1() {
    let action = action();
    let mut step = RunnerStep::new(&action).with_green_report();
    step.set_input("commit", "never");
    step.set_input("job-status", "failure");
    let run = step.run();
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.output("result"), Some("FAIL"));
    assert!(!run.output("reasons").unwrap_or_default().is_empty());
    assert_nothing_undeclared(&action, &run);
}

#[test]
fn fail_on_gate_false_reports_the_failure_and_exits_0() {
    let action = action();
    let mut step = RunnerStep::new(&action).with_green_report();
    step.set_input("commit", "never");
    step.set_input("job-status", "cancelled");
    step.set_input("fail-on-gate", "false");
    let run = step.run();
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.output("result"), Some("FAIL"));
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let action = action();
    let mut step = RunnerStep::new(&action);
    step.set_input("command", "deploy");
    let run = step.run();
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.outputs.is_empty());
}

/// `preflight` and `readiness` run from the declared inputs alone; the stand-in API answers 401, so
/// they end NOT READY (1) or with an API error (3), never a usage error.
#[test]
fn preflight_and_readiness_run_from_their_inputs() {
    let action = action();
    for command in ["preflight", "readiness"] {
        let mut step = RunnerStep::new(&action);
        step.set_input("command", command);
        let run = step.run();
        assert!(
            run.code == 1 || run.code == 3,
            "`{command}` against an API that refuses the token: exit 1 or 3\n{}",
            run.describe()
        );
        let everything = format!("{}{}", run.stdout, run.stderr);
        assert!(!everything.contains(FAKE_TOKEN), "the token leaked");
    }
}

/// Runs an example's gate step (without the commit) and checks what every green run must show:
/// exit 0, PASS, nothing undeclared, no critical log finding.
fn passes_like_the_example(action: &Action, mut step: RunnerStep) -> Run {
    step.set_input("commit", "never");
    let run = step.run();
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.output("result"), Some("PASS"), "{}", run.describe());
    assert_nothing_undeclared(action, &run);
    let findings: serde_json::Value =
        serde_json::from_str(run.output("findings").unwrap_or_default()).expect("findings is JSON");
    assert!(
        findings
            .as_array()
            .is_some_and(|f| f.iter().all(|f| f["severity"] != "critical")),
        "a green run's log has no critical finding: {findings}"
    );
    run
}

#[test]
fn the_example_workflows_gate_step_passes_on_a_green_run() {
    let action = action();
    let step = RunnerStep::new(&action)
        .with_green_report()
        .like_the_example(EXAMPLES[0], &[GREEN_LOG]);
    let run = passes_like_the_example(&action, step);
    let evidence = run.output("evidence").unwrap_or_default();
    assert!(
        evidence.contains(&format!("- Backend URL: {BACKEND_URL}")),
        "{evidence}"
    );
}

/// The sharded example's gate step on the two shard reports of one green run: one PASS.
#[test]
fn the_sharded_examples_gate_step_passes_on_green_shards() {
    let action = action();
    let shards = [
        "tests/fixtures/reports/playwright-1.58.2/green-shard-1-of-2.json",
        "tests/fixtures/reports/playwright-1.58.2/green-shard-2-of-2.json",
    ];
    let logs = [
        "tests/fixtures/reports/playwright-1.58.2/green-shard-1-of-2.log",
        "tests/fixtures/reports/playwright-1.58.2/green-shard-2-of-2.log",
    ];
    let results = example_jobs(EXAMPLES[1]).gate_step["with"]["results"]
        .as_str()
        .unwrap()
        .to_string();
    let step = RunnerStep::new(&action)
        .with_reports(&results, &shards)
        .like_the_example(EXAMPLES[1], &logs);
    let run = passes_like_the_example(&action, step);
    let evidence = run.output("evidence").unwrap_or_default();
    assert!(evidence.contains("in 2 reports"), "{evidence}");
}

/// One request the stand-in GitHub API received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    authorization: String,
    body: String,
}

/// A stand-in for the GitHub contents API on localhost holding one file: `GET` returns it with
/// its blob sha, `PUT` records the new content and answers with a commit. Anything else: 404.
struct FakeContentsApi {
    url: String,
    received: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
}

const BLOB_SHA: &str = "3d21ec53a331a6f037a91c368710b99387d012c1";
const COMMIT_SHA: &str = "7638417db6d59f3c431d3e1f261cc637155684cd";

impl FakeContentsApi {
    fn start(path: &str, content: &[u8]) -> FakeContentsApi {
        use base64::Engine as _;
        use std::io::{BufRead, BufReader, Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = received.clone();
        let file_path = format!("/repos/{REPOSITORY}/contents/{path}");
        let encoded = base64::engine::general_purpose::STANDARD.encode(content);
        // GitHub wraps the base64 content at 60 characters.
        let wrapped: Vec<String> = encoded
            .as_bytes()
            .chunks(60)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        let file = serde_json::json!({
            "type": "file", "encoding": "base64", "size": content.len(),
            "name": path.rsplit('/').next(), "path": path, "sha": BLOB_SHA,
            "content": format!("{}\n", wrapped.join("\n")),
        })
        .to_string();
        let put = serde_json::json!({
            "content": { "path": path, "sha": "9a0e5b7c0f1d2e3a4b5c6d7e8f90a1b2c3d4e5f6" },
            "commit": {
                "sha": COMMIT_SHA,
                "html_url": format!("{SERVER_URL}/{REPOSITORY}/commit/{COMMIT_SHA}"),
            }
        })
        .to_string();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(&stream);
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut parts = request_line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let target = parts.next().unwrap_or("").to_string();
                let mut length = 0usize;
                let mut authorization = String::new();
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
                    if let Some((name, value)) = line.split_once(':') {
                        match name.trim().to_ascii_lowercase().as_str() {
                            "content-length" => length = value.trim().parse().unwrap_or(0),
                            "authorization" => authorization = value.trim().to_string(),
                            _ => {}
                        }
                    }
                    line.clear();
                }
                let mut body = vec![0u8; length];
                let _ = reader.read_exact(&mut body);
                let path = target.split('?').next().unwrap_or("").to_string();
                let (status, reply) = match (method.as_str(), path == file_path) {
                    ("GET", true) => ("200 OK", file.clone()),
                    ("PUT", true) => ("200 OK", put.clone()),
                    _ => ("404 Not Found", r#"{"message":"Not Found"}"#.to_string()),
                };
                log.lock().unwrap().push(Received {
                    method,
                    path: target,
                    authorization,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let _ = write!(
                    &stream,
                    "HTTP/1.1 {status}\r\ncontent-type: application/json; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
            }
        });
        FakeContentsApi { url, received }
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// The default `commit: on-success`: a PASS commits the evidence through the contents API
/// and reports the commit in `commit-sha` and `commit-url`.
#[test]
fn a_pass_run_with_the_default_commit_setting_commits_the_evidence() {
    use base64::Engine as _;
    let action = action();
    let status_file = "docs/ai-coach/AI_COACH_V2_PRODUCTION_STATUS.md";
    let document = std::fs::read(
        Path::new(ROOT).join("tests/fixtures/itm-gd/AI_COACH_V2_PRODUCTION_STATUS.md"),
    )
    .unwrap();
    let api = FakeContentsApi::start(status_file, &document);
    let mut step = RunnerStep::new(&action).with_green_report();
    step.set_env("GITHUB_API_URL", &api.url);
    let run = step.run();
    let received = api.received();
    assert_eq!(
        run.code,
        0,
        "{}\n--- API requests\n{received:#?}",
        run.describe()
    );
    assert_nothing_undeclared(&action, &run);
    assert_eq!(run.output("commit-sha"), Some(COMMIT_SHA));
    assert_eq!(
        run.output("commit-url"),
        Some(format!("{SERVER_URL}/{REPOSITORY}/commit/{COMMIT_SHA}").as_str())
    );

    let puts: Vec<&Received> = received.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(puts.len(), 1, "one commit: {received:#?}");
    for request in &received {
        assert!(
            request.authorization.ends_with(FAKE_TOKEN),
            "every API call carries the token: {request:?}"
        );
    }
    assert!(
        puts[0]
            .path
            .starts_with(&format!("/repos/{REPOSITORY}/contents/{status_file}")),
        "the commit writes the status file: {}",
        puts[0].path
    );
    let body: serde_json::Value = serde_json::from_str(&puts[0].body).expect("PUT body is JSON");
    assert_eq!(
        body["sha"], BLOB_SHA,
        "the update names the blob it replaces"
    );
    assert_eq!(
        body["branch"], "main",
        "the evidence goes to the branch under test"
    );
    assert!(
        body.get("author").is_none() && body.get("committer").is_none(),
        "GitHub signs it"
    );
    let content = base64::engine::general_purpose::STANDARD
        .decode(
            body["content"]
                .as_str()
                .unwrap_or_default()
                .replace('\n', ""),
        )
        .expect("content is base64");
    let content = String::from_utf8(content).expect("the document stays UTF-8");
    assert!(content.contains("<!-- itm-gate:evidence:begin -->"));
    assert!(content.contains(&format!("- Commit: {SHA}")));
    assert!(content.contains("- Result: PASS"));
    let original = String::from_utf8_lossy(&document);
    let first_line = original.lines().next().unwrap_or_default();
    assert!(
        !first_line.is_empty() && content.starts_with(first_line),
        "the document is kept"
    );
}

// ----- the code's table of inputs -------------------------------------------------------------

/// The code's table of inputs is `action.yml`'s: the same names in the same order, the same
/// defaults, and the commands it says read an input are the ones the description names
/// ("Used only by `preflight`" …; otherwise the gate).
#[test]
fn the_code_table_of_inputs_is_action_yml() {
    use itm_gate::settings::INPUTS;
    let action = action();
    let declared: Vec<&str> = action.inputs.keys().map(String::as_str).collect();
    let mut in_code: Vec<&str> = INPUTS.iter().map(|i| i.name).collect();
    let mut declared_sorted = declared.clone();
    declared_sorted.sort();
    in_code.sort();
    assert_eq!(
        in_code, declared_sorted,
        "settings::INPUTS against action.yml"
    );
    for input in INPUTS {
        let yml = &action.inputs[input.name];
        assert_eq!(
            item_lines(yml.default.as_deref().unwrap_or("")),
            input.default,
            "default of `{}`",
            input.name
        );
        let read_by: BTreeSet<&str> = input.read_by.iter().copied().collect();
        if input.name == "command" {
            assert_eq!(read_by, BTreeSet::from(["itm-gate"]));
        } else if yml.description.contains("Used only by") {
            assert_eq!(read_by, used_by(yml), "commands of `{}`", input.name);
        } else {
            assert!(
                read_by.contains("gate"),
                "`{}` is read by the gate",
                input.name
            );
        }
    }
}

/// The inputs the table says `command` reads.
fn table_inputs_of(command: &str) -> BTreeSet<String> {
    itm_gate::settings::INPUTS
        .iter()
        .filter(|i| i.read_by.contains(&command))
        .map(|i| i.name.to_string())
        .collect()
}

/// What replaced the `LD_PRELOAD` getenv shim: each command's settings, resolved in process
/// from the declared defaults, read exactly the inputs the table gives that command: every
/// declared input is read, and nothing undeclared (the runner never sets it). The gate's
/// settings are resolved in full; `preflight` and `readiness` are given a repository and a
/// branch, and read the token for their client.
#[test]
fn each_command_reads_exactly_the_inputs_the_table_gives_it() {
    use itm_gate::settings::{self, TargetArgs, inputs_read};
    use itm_gate::{cmd, config};
    let _ = inputs_read();

    assert_eq!(settings::command(), "gate");
    assert_eq!(
        inputs_read(),
        table_inputs_of("itm-gate"),
        "choosing the command"
    );

    config::GateSettings::resolve(itm_gate::cmd::gate::Args::default().into())
        .expect("the defaults resolve");
    assert_eq!(inputs_read(), table_inputs_of("gate"), "gate");

    let target = TargetArgs {
        repository: Some("n8kahl/ITM-gd".into()),
        branch: Some("Aiupgrade".into()),
        ..TargetArgs::default()
    };
    let _ = cmd::preflight::Args {
        target: target.clone(),
        ..Default::default()
    }
    .resolve();
    assert_eq!(inputs_read(), table_inputs_of("preflight"), "preflight");
    let _ = cmd::readiness::Args {
        target,
        ..Default::default()
    }
    .resolve();
    assert_eq!(inputs_read(), table_inputs_of("readiness"), "readiness");
}

/// Every input is read through `settings::setting` (which records it), so the check above sees
/// every read: no other module asks the runner's environment for an input.
#[test]
fn inputs_are_read_only_through_settings() {
    let mut stack = vec![Path::new(ROOT).join("src")];
    let mut offenders = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path
                .strip_prefix(ROOT)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if name == "src/settings.rs" || name == "src/runner.rs" {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("runner::input(") || text.contains("\"INPUT_") {
                offenders.push(name);
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read inputs through itm_gate::settings::setting: {offenders:?}"
    );
}
