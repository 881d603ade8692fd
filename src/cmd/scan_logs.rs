//! The `scan-logs` command: scan log files with the gate's log rules ([`crate::logscan`]) and
//! print the findings, outside a gate run.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::exit::Exit;
use crate::logscan::{self, Finding, Findings, RuleSet, Scanner, UNREADABLE_RULE};
use crate::redact::Redactor;

/// Flags of the `scan-logs` command: scan log files with the gate's rules, outside a gate run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON file of extra rules, changed severities and disabled rules (docs/log-rules.md).
    #[arg(long = "log-rules", value_name = "FILE")]
    pub log_rules: Option<PathBuf>,
    /// Print the findings as the gate's `findings` JSON array instead of lines.
    #[arg(long)]
    pub json: bool,
    /// Print the rules and exclusions in force and exit.
    #[arg(long)]
    pub list_rules: bool,
    /// Log files or globs (`-` reads standard input); `.gz` files are decompressed.
    #[arg(value_name = "PATH|GLOB", required_unless_present = "list_rules")]
    pub paths: Vec<String>,
}

/// Runs the `scan-logs` command: one line per finding and a count line; exit 1 when a finding
/// is critical, 2 for a bad rules file.
pub fn run(args: Args) -> Exit {
    let mut rules = RuleSet::builtin();
    if let Some(path) = &args.log_rules {
        rules = match rules.with_rules_file(path) {
            Ok(rules) => rules,
            Err(err) => {
                eprintln!("itm-gate: {err}");
                return Exit::Usage;
            }
        };
    }
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    if args.list_rules {
        let _ = write_rules(&mut out, &rules).and_then(|()| out.flush());
        return Exit::Success;
    }
    let token = crate::settings::token(None);
    let redactor = Redactor::from_env(token.as_deref());
    crate::redact::install(redactor.clone());
    let scanner = Scanner::new(rules, redactor);
    let mut findings = Findings::new();
    let (stdin, files): (Vec<String>, Vec<String>) = args.paths.into_iter().partition(|p| p == "-");
    if !stdin.is_empty()
        && let Err(err) = scanner.scan_reader("<stdin>", io::stdin().lock(), &mut findings)
    {
        scanner.push_file_finding(
            UNREADABLE_RULE,
            "<stdin>",
            None,
            &format!("reading stopped: {err}"),
            &mut findings,
        );
    }
    scanner.scan_paths(&files, Path::new("."), &mut findings);
    // Excerpts are untrusted log text: inside Actions they are printed inside
    // `::stop-commands::` with `##[` neutralised, as the gate prints them.
    let mut text = Vec::new();
    let _ = if args.json {
        write_json(&mut text, &findings)
    } else {
        write_lines(&mut text, &findings)
    };
    let text = String::from_utf8_lossy(&text);
    if crate::runner::in_github_actions() {
        drop(out);
        crate::runner::print_untrusted(&text);
    } else {
        let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    }
    if findings.has_critical() {
        Exit::GateFailed
    } else {
        Exit::Success
    }
}

/// One line per kept finding (`severity rule source:line: excerpt`), then the count line.
fn write_lines(out: &mut impl Write, findings: &Findings) -> io::Result<()> {
    for f in findings.iter() {
        writeln!(
            out,
            "{} {} {}: {}",
            f.severity,
            f.rule,
            f.place(),
            f.excerpt
        )?;
    }
    writeln!(out, "{}", logscan::count_line(findings))
}

/// The `findings` JSON array.
fn write_json(out: &mut impl Write, findings: &Findings) -> io::Result<()> {
    let list: Vec<&Finding> = findings.iter().collect();
    serde_json::to_writer(&mut *out, &list).map_err(io::Error::other)?;
    writeln!(out)
}

/// The rules and exclusions in force, one per line.
fn write_rules(out: &mut impl Write, rules: &RuleSet) -> io::Result<()> {
    for rule in rules.rules() {
        writeln!(out, "rule {} {} {}", rule.id, rule.severity, rule.pattern)?;
    }
    for exclusion in rules.exclusions() {
        let scope = if exclusion.rules.is_empty() {
            "all".to_string()
        } else {
            exclusion.rules.join(",")
        };
        writeln!(
            out,
            "exclusion {} {} {}",
            exclusion.id, scope, exclusion.pattern
        )?;
    }
    Ok(())
}
