//! No workflow command from untrusted text, in any command (DESIGN.md section 6, issue 11
//! point 4). Each command is fed a report and a log full of command look-alikes
//! ([`common::LOOK_ALIKES`]) and its stdout and stderr are read the way the runner reads them
//! ([`common::assert_no_forged_commands`]). `preflight`, `readiness` and `run` are fed
//! look-alikes through their API set-ups in their own test files.

mod common;

use serde_json::Value;

use common::{ActionRun, assert_echoed_safely, look_alike_text, report};

/// Adds the look-alikes to every title, error message, stdout entry and skip reason of a real
/// report.
fn with_look_alikes(value: &mut Value) {
    let text = look_alike_text();
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match (key.as_str(), &mut *item) {
                    ("title" | "message" | "description", Value::String(s)) => {
                        s.push('\n');
                        s.push_str(&text);
                    }
                    ("stdout" | "stderr", Value::Array(entries)) => {
                        entries.push(serde_json::json!({ "text": text.clone() }));
                    }
                    _ => with_look_alikes(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(with_look_alikes),
        _ => {}
    }
}

fn look_alike_report() -> Vec<u8> {
    let source = std::fs::read(report("1.58.2", "kitchen-sink.json")).unwrap();
    let mut value: Value = serde_json::from_slice(&source).unwrap();
    with_look_alikes(&mut value);
    serde_json::to_vec_pretty(&value).unwrap()
}

#[test]
fn gate_echoes_no_command_from_a_report_or_a_log() {
    let ran = ActionRun::new()
        .write("test-results/results.json", &look_alike_report())
        .write("logs/backend.log", look_alike_text().as_bytes())
        .input("logs", "logs/*.log")
        .run(&[]);
    assert_eq!(ran.output("result"), "FAIL", "{}", ran.stderr);
    assert_echoed_safely("gate", &ran.stdout, &ran.stderr);
}

/// Was: `scan-logs` printed excerpts without `::stop-commands::`, and `##[` anywhere in a line
/// is a command.
#[test]
fn scan_logs_echoes_no_command_from_a_log() {
    for json in [false, true] {
        let run = ActionRun::new().write("backend.log", look_alike_text().as_bytes());
        let mut args = vec!["scan-logs", "backend.log"];
        if json {
            args.push("--json");
        }
        let ran = run.run(&args);
        assert_eq!(ran.code, 1, "{}{}", ran.stdout, ran.stderr);
        assert!(ran.stdout.contains("FORGED-in-a-finding"), "{}", ran.stdout);
        assert_echoed_safely("scan-logs", &ran.stdout, &ran.stderr);
    }
}

/// The random `::stop-commands::` token replaced by `<token>`, so a run's lines can be compared.
fn normalise_stop_token(stdout: &str) -> String {
    let token = regex::Regex::new(r"(::stop-commands::|^::)[0-9a-f]{32}(::)?")
        .expect("token pattern is valid");
    stdout
        .lines()
        .map(|line| token.replace(line, "${1}<token>${2}").into_owned() + "\n")
        .collect()
}

/// What `scan-logs` prints for real runs' logs (strict-failure: warnings only, exit 0;
/// bootstrap-failure: critical findings, exit 1), inside GitHub Actions (wrapped in
/// `::stop-commands::`) and outside it, reviewed as snapshots.
#[test]
fn scan_logs_lines_are_snapshotted() {
    for case in ["strict-failure", "bootstrap-failure"] {
        let log = common::repo_root().join(format!(
            "tests/fixtures/reports/playwright-1.58.2/{case}.log"
        ));
        for (place, run) in [
            ("in_actions", ActionRun::new()),
            ("local", ActionRun::local()),
        ] {
            let ran = run.file(&log, "e2e.log").run(&["scan-logs", "e2e.log"]);
            let printed = format!(
                "exit {}\n--- stdout\n{}--- stderr\n{}",
                ran.code,
                normalise_stop_token(&ran.stdout),
                ran.stderr
            );
            let name = format!("scan_logs_{}_{place}", case.replace('-', "_"));
            insta::assert_snapshot!(name, printed);
        }
    }
}
