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

const fs = require('fs');

const [source, target, megabytes = '240'] = process.argv.slice(2);
if (!source || !target) {
  process.stderr.write('usage: node enlarge-files.js <report.json> <out.json> [target MB]\n');
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(source, 'utf8'));
if (!Array.isArray(report.suites) || report.suites.length === 0) {
  process.stderr.write(`enlarge-files.js: ${source} has no suites\n`);
  process.exit(2);
}

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
const indent = (text, spaces) => text.replace(/\n/g, `\n${' '.repeat(spaces)}`);
const suiteText = (suite) => '    ' + indent(JSON.stringify(suite, null, 2), 4);

const targetBytes = Number(megabytes) * 1024 * 1024;
const perCopy = report.suites.reduce((sum, s) => sum + Buffer.byteLength(suiteText(copyOfSuite(s, 1))) + 2, 0);
const copies = Math.max(1, Math.ceil(targetBytes / perCopy));

const stats = { ...report.stats };
for (const key of ['expected', 'unexpected', 'flaky', 'skipped']) {
  if (typeof stats[key] === 'number') stats[key] *= copies;
}

const fd = fs.openSync(target, 'w');
let chunk = [];
let size = 0;
let written = 0;
const out = (text) => {
  chunk.push(text);
  size += text.length;
  if (size >= 1 << 20) flush();
};
const flush = () => {
  const buffer = Buffer.from(chunk.join(''), 'utf8');
  fs.writeSync(fd, buffer);
  written += buffer.length;
  chunk = [];
  size = 0;
};

out('{\n');
const keys = Object.keys({ ...report, stats });
keys.forEach((key, i) => {
  out(`  ${JSON.stringify(key)}: `);
  if (key === 'suites') {
    out('[\n');
    let first = true;
    for (let k = 0; k < copies; k++) {
      for (const suite of report.suites) {
        if (!first) out(',\n');
        first = false;
        out(suiteText(copyOfSuite(suite, k)));
      }
    }
    out('\n  ]');
  } else {
    out(indent(JSON.stringify(key === 'stats' ? stats : report[key], null, 2), 2));
  }
  out(i + 1 < keys.length ? ',\n' : '\n');
});
out('}\n');
flush();
fs.closeSync(fd);
process.stdout.write(
  `enlarge-files.js: ${source} -> ${target}: ${(written / 1048576).toFixed(1)} MB, ` +
    `${copies} copies of ${report.suites.length} spec files\n`,
);
