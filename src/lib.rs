//! itm-gate: turns a live Playwright end-to-end run into a release decision with evidence.
//!
//! The modules follow the order in which data flows through the `gate` command:
//!
//! 1. [`report`]: stream Playwright JSON reports into a slim model of tests and outcomes.
//! 2. [`paths`]: map report paths (relative to Playwright's rootDir) to repository paths.
//! 3. [`verdict`]: give every spec file a `PASS` / `FAIL` / `SKIP` verdict.
//! 4. [`redact`] and [`logscan`]: find backend bootstrap and auth-bypass failures in logs.
//! 5. [`gate`]: decide the release gate and say why; [`failure_groups`] and [`reasons`] say it
//!    once per cause.
//! 6. [`evidence`] and [`statusdoc`]: render the runbook's evidence block and place it in the
//!    status document.
//! 7. [`github`]: the REST API client (evidence commit, preflight, readiness).
//! 8. [`runner`] and [`summary`]: GitHub Actions I/O (inputs, outputs, annotations, job summary);
//!    [`outputs`] keeps the step outputs within GitHub's 1 MB limit.
//!
//! [`settings`] reads flags, `INPUT_*` variables and the environment in one order for every
//! command; [`config`] turns them into the gate's validated settings; [`cmd`] holds one module per
//! command (`gate`, `scan-logs`, `preflight`, `readiness`, `secrets`, `run`); [`collect`] reads a
//! run's reports into [`collect::RunData`] and [`outcome`] turns a decided run into notes,
//! annotations and outputs; [`app`] wires the commands together for the thin binary in `main.rs`.

#![deny(missing_docs)]

pub mod app;
pub mod cmd;
pub mod collect;
pub mod config;
pub mod dispatch;
pub mod evidence;
pub mod exit;
pub mod failure_groups;
pub mod gate;
pub mod github;
pub mod logscan;
pub mod markdown;
pub mod outcome;
pub mod outputs;
pub mod paths;

pub mod preflight;
pub mod readiness;
pub mod reasons;
pub mod redact;
pub mod report;
pub mod runner;
pub mod secrets;
pub mod settings;
pub mod statusdoc;
pub mod summary;
pub mod text;
pub mod verdict;
