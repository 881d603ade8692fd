// What the report enlargers (enlarge.js, enlarge-files.js, many-files.js) share: reading the
// source report, a buffered synchronous writer, and writing a report indented as Playwright
// writes it with the suites produced one at a time (never the whole output in memory).
'use strict';

const fs = require('fs');

/** Reads a Playwright JSON report, or calls `usage` with what is wrong with it. */
function readReport(source, usage) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(source, 'utf8'));
  } catch (err) {
    usage(`cannot read ${source} as JSON: ${err.message}`);
  }
  if (!report || !Array.isArray(report.suites) || typeof report.config !== 'object') {
    usage(`${source} is not a Playwright JSON report (no config or suites)`);
  }
  return report;
}

/** Writes text to `target` in chunks of about 1 MiB; `written` counts the bytes. */
class ChunkedWriter {
  constructor(target) {
    this.fd = fs.openSync(target, 'w');
    this.chunk = [];
    this.size = 0;
    this.written = 0;
  }

  out(text) {
    this.chunk.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush() {
    const buffer = Buffer.from(this.chunk.join(''), 'utf8');
    fs.writeSync(this.fd, buffer);
    this.written += buffer.length;
    this.chunk = [];
    this.size = 0;
  }

  close() {
    this.flush();
    fs.closeSync(this.fd);
  }
}

const indent = (text, spaces) => text.replace(/\n/g, `\n${' '.repeat(spaces)}`);

/** One top-level suite, indented as it stands inside `suites` in Playwright's output. */
const suiteText = (suite) => '    ' + indent(JSON.stringify(suite, null, 2), 4);

/**
 * Writes `report` with `stats` in place of its own, indented as Playwright writes it; the
 * `suites` array is made of the texts `suiteTexts()` yields, one at a time. Returns the bytes
 * written.
 */
function writeIndentedReport(target, report, stats, suiteTexts) {
  const writer = new ChunkedWriter(target);
  writer.out('{\n');
  const keys = Object.keys({ ...report, stats });
  keys.forEach((key, i) => {
    writer.out(`  ${JSON.stringify(key)}: `);
    if (key === 'suites') {
      writer.out('[\n');
      let first = true;
      for (const text of suiteTexts()) {
        if (!first) writer.out(',\n');
        first = false;
        writer.out(text);
      }
      writer.out('\n  ]');
    } else {
      writer.out(indent(JSON.stringify(key === 'stats' ? stats : report[key], null, 2), 2));
    }
    writer.out(i + 1 < keys.length ? ',\n' : '\n');
  });
  writer.out('}\n');
  writer.close();
  return writer.written;
}

module.exports = { readReport, ChunkedWriter, suiteText, writeIndentedReport };
