#!/usr/bin/env node
// Enlarges a real Playwright JSON report the way large suites grow: more spec files.
//
//   node benches/report/enlarge-files.js <report.json> <out.json> [target MB, default 240]
//
// Every top-level suite (one spec file) is repeated as `<name>-copy<k>.spec.ts`, with its
// tests, results, stdout and attachments as they are, until the file reaches the target size.
// The output is indented as Playwright's JSON reporter writes it (two spaces a level), `stats`
// counts are multiplied by the number of copies, and it is written in chunks.
'use strict';

const { readReport, suiteText, writeIndentedReport } = require('./lib');

function usage(message) {
  process.stderr.write(
    `enlarge-files.js: ${message}\nusage: node enlarge-files.js <report.json> <out.json> [target MB]\n`,
  );
  process.exit(2);
}

const [source, target, megabytes = '240'] = process.argv.slice(2);
if (!source || !target) usage('a source report and an output path are required');
const report = readReport(source, usage);
if (report.suites.length === 0) usage(`${source} has no suites`);

function renamed(value, from, to) {
  if (Array.isArray(value)) return value.map((v) => renamed(v, from, to));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = (key === 'file' || key === 'title') && v === from ? to : renamed(v, from, to);
    }
    return out;
  }
  return value;
}

function copyOfSuite(suite, k) {
  if (k === 0) return suite;
  const file = suite.file;
  const copy = file.replace(/(\.(spec|test)\.[cm]?[jt]sx?)$/, `-copy${k}$1`);
  return renamed(suite, file, copy === file ? `${file}-copy${k}` : copy);
}

// Suites sit at depth 2 of the report: indent their text by four spaces, as Playwright does.

const targetBytes = Number(megabytes) * 1024 * 1024;
const perCopy = report.suites.reduce((sum, s) => sum + Buffer.byteLength(suiteText(copyOfSuite(s, 1))) + 2, 0);
const copies = Math.max(1, Math.ceil(targetBytes / perCopy));

const stats = { ...report.stats };
for (const key of ['expected', 'unexpected', 'flaky', 'skipped']) {
  if (typeof stats[key] === 'number') stats[key] *= copies;
}

const written = writeIndentedReport(target, report, stats, function* () {
  for (let k = 0; k < copies; k++) {
    for (const suite of report.suites) yield suiteText(copyOfSuite(suite, k));
  }
});
process.stdout.write(
  `enlarge-files.js: ${source} -> ${target}: ${(written / 1048576).toFixed(1)} MB, ` +
    `${copies} copies of ${report.suites.length} spec files\n`,
);
