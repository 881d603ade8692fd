//! [`ReportError`], the one error of reading a report, and the mapping of the walk's problems
//! (a JSON error at a byte offset, a shape Playwright never writes) to it, with the file's
//! line and column.

use super::*;

/// Why a report could not be read. Each message names the file and the problem.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The file does not exist or cannot be read.
    #[error(
        "{path}: cannot read the report: {source}. Check the `results` input and that the test step wrote its JSON report"
    )]
    Io {
        /// The report file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file has 0 bytes.
    #[error(
        "{path}: the report is empty (0 bytes): the Playwright JSON reporter wrote nothing; did the test step crash before the run ended?"
    )]
    Empty {
        /// The report file.
        path: PathBuf,
    },
    /// The JSON ends before the report is complete.
    #[error(
        "{path}: the report is truncated: the JSON ends at byte {size} before the report is complete (was the run killed or the disk full?)"
    )]
    Truncated {
        /// The report file.
        path: PathBuf,
        /// Size of the file in bytes.
        size: u64,
    },
    /// The bytes are not valid JSON.
    #[error("{path}: not valid JSON at byte {offset} (line {line}, column {column}): {detail}")]
    NotJson {
        /// The report file.
        path: PathBuf,
        /// Byte offset of the problem.
        offset: u64,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
        /// What the JSON parser says.
        detail: String,
    },
    /// Valid JSON, but not a Playwright JSON report.
    #[error(
        "{path}: not a Playwright JSON report: {why}. Use Playwright's `json` reporter (reporter: [['json', {{ outputFile: 'test-results/results.json' }}]])"
    )]
    NotPlaywright {
        /// The report file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// Nested deeper than the JSON parser allows.
    #[error(
        "{path}: the JSON nests 128 levels deep at byte {offset} (at most 127 are read, as by serde_json); no Playwright report does that"
    )]
    TooDeep {
        /// The report file.
        path: PathBuf,
        /// Byte offset where the limit was reached.
        offset: u64,
    },
}

/// A failure before the file's path is attached.
#[derive(Debug)]
pub(super) enum Problem {
    Json(JsonError),
    Shape(String),
}

impl Problem {
    pub(super) fn into_error(self, path: &Path, size: u64) -> ReportError {
        self.into_error_at(path, size, |offset| line_and_column(path, offset))
    }

    /// The error, with `locate` giving the line and column of a byte offset.
    pub(super) fn into_error_at(
        self,
        path: &Path,
        size: u64,
        locate: impl Fn(u64) -> Option<(usize, usize)>,
    ) -> ReportError {
        let path = path.to_path_buf();
        match self {
            Problem::Shape(why) => ReportError::NotPlaywright { path, why },
            Problem::Json(JsonError::Eof) => ReportError::Truncated { path, size },
            Problem::Json(JsonError::TooDeep { offset }) => ReportError::TooDeep { path, offset },
            Problem::Json(JsonError::Shape { offset, message }) => ReportError::NotPlaywright {
                path,
                why: format!("{message} (byte {offset})"),
            },
            Problem::Json(JsonError::Io(detail)) => ReportError::Io {
                path,
                source: std::io::Error::other(detail),
            },
            Problem::Json(JsonError::Syntax { offset, expected }) => {
                let (line, column) = locate(offset).unwrap_or((0, 0));
                ReportError::NotJson {
                    path,
                    offset,
                    line,
                    column,
                    detail: format!("expected {expected}"),
                }
            }
        }
    }
}

/// 1-based line and column of a byte offset in `bytes`.
pub(super) fn line_and_column_in(bytes: &[u8], offset: u64) -> (usize, usize) {
    let before = &bytes[..(offset as usize).min(bytes.len())];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, before.len() - line_start + 1)
}

/// 1-based line and column of a byte offset, found by reading the file again (errors only).
pub(super) fn line_and_column(path: &Path, offset: u64) -> Option<(usize, usize)> {
    let mut reader = BufReader::new(crate::paths::open_regular(path).ok()?);
    let (mut line, mut line_start, mut read) = (1usize, 0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).ok()? as u64;
        if n == 0 || read + n > offset {
            break;
        }
        read += n;
        line += 1;
        line_start = read;
    }
    Some((line, (offset - line_start) as usize + 1))
}
