//! Wires the commands together for the thin binary.

use clap::{Parser, Subcommand};

use crate::cmd::{self, Outcome};
use crate::exit::Exit;
use crate::runner;

/// Turns a Playwright end-to-end run into a release decision with evidence.
#[derive(Debug, Parser)]
#[command(name = "itm-gate", version, about, long_about = None)]
pub struct Cli {
    /// The command; `gate` when omitted (or the `command` input inside GitHub Actions).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands of the binary, one per runbook step.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read Playwright reports and logs, decide the gate, write outputs and evidence (default).
    Gate(Box<cmd::gate::Args>),
    /// Check the repository before dispatching the live workflow (runbook section 3).
    Preflight(cmd::preflight::Args),
    /// Check the exit criteria for the production cut (runbook section 8).
    Readiness(cmd::readiness::Args),
    /// Set the gate's repository secrets from an env file (runbook section 2).
    Secrets(cmd::secrets::Args),
    /// Dispatch the live workflow and follow it to completion (runbook section 4).
    Run(cmd::run::Args),
    /// Scan log files with the gate's log rules and print the findings.
    ScanLogs(cmd::scan_logs::Args),
}

/// Runs the command line and returns the process exit code.
pub fn main() -> u8 {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return match err.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Exit::Success.code()
                }
                _ => Exit::Usage.code(),
            };
        }
    };
    let command = match cli.command {
        Some(command) => command,
        None => match command_from_input() {
            Ok(command) => command,
            Err(exit) => return exit.code(),
        },
    };
    // Every shortened text is redacted with the secrets of the environment (DESIGN.md section
    // 6); commands that take a token from a flag install it with their token as well.
    crate::redact::install(crate::redact::Redactor::from_env(
        crate::settings::token(None).as_deref(),
    ));
    let exit = match command {
        Command::Gate(args) => cmd::gate::run(*args),
        Command::Preflight(args) => finish("preflight", cmd::preflight::run(args)),
        Command::Readiness(args) => finish("readiness", cmd::readiness::run(args)),
        Command::Secrets(args) => finish("secrets", cmd::secrets::run(args)),
        Command::Run(args) => finish("run", cmd::run::run(args)),
        Command::ScanLogs(args) => cmd::scan_logs::run(args),
    };
    exit.code()
}

/// The exit code of a command's outcome; a failure is printed here, once, with its context
/// chain (safe from workflow-command injection), and mapped to its documented exit code.
fn finish(command: &str, outcome: Outcome) -> Exit {
    match outcome {
        Ok(exit) => exit,
        Err(failure) => {
            for line in failure.lines(command) {
                runner::eprint_line(&line);
            }
            failure.exit
        }
    }
}

/// With no arguments, the `command` input (default `gate`) chooses the command, with every
/// other setting taken from `INPUT_*` variables.
fn command_from_input() -> Result<Command, Exit> {
    let name = crate::settings::command();
    Cli::try_parse_from(["itm-gate", name.as_str()])
        .map_err(|err| {
            eprintln!(
                "itm-gate: input `command` is `{name}`; expected gate, preflight, readiness, secrets, run or scan-logs ({})",
                err.kind()
            );
            Exit::Usage
        })?
        .command
        .ok_or(Exit::Usage)
}

/// Diagnostics (`tracing`) go to stderr; `RUST_LOG` chooses the level (default: warnings).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}
