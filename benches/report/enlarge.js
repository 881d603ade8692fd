#!/usr/bin/env node
// Enlarges a real Playwright JSON report into a big one for the report benchmark.
//
//   node benches/report/enlarge.js <report.json> <out.json> [target MB, default 240]
//
// Every spec of every suite is repeated in place, copy k (k >= 1) titled `<title> (copy k)` with a
// unique id, until the file reaches the target size. Tests, results, stdout/stderr entries and
// attachments are kept as they are, and written indented like Playwright's own output, so the big
// report has the same shape as the real one; `stats`
// counts are multiplied by the number of copies so they still sum up. The output is written in
// chunks (never held in memory as one string) and is a valid Playwright JSON report.
'use strict';

const { readReport, ChunkedWriter } = require('./lib');

function usage(message) {
  process.stderr.write(`enlarge.js: ${message}\nusage: node enlarge.js <report.json> <out.json> [target MB]\n`);
  process.exit(2);
}

const [source, target, megabytes = '240'] = process.argv.slice(2);
if (!source || !target) usage('a source report and an output path are required');
const targetBytes = Number(megabytes) * 1024 * 1024;
if (!(targetBytes > 0)) usage(`target size \`${megabytes}\` is not a positive number of MB`);

const report = readReport(source, usage);

function* allSpecs(suites) {
  for (const suite of suites) {
    yield* suite.specs || [];
    yield* allSpecs(suite.suites || []);
  }
}

// Specs are written indented, as Playwright's JSON reporter writes reports
// (JSON.stringify(report, null, 2)), so the big report has a real report's whitespace.
const SPEC_INDENT = '        ';
function specText(spec) {
  return JSON.stringify(spec, null, 2).replace(/\n/g, `\n${SPEC_INDENT}`);
}

function copyOf(spec, k) {
  if (k === 0) return spec;
  return { ...spec, title: `${spec.title} (copy ${k})`, id: `${spec.id}-copy${k}` };
}

// Size of one more copy of every spec, estimated with the shortest copy suffix (later copies are a
// few bytes longer), so the file reaches at least the target size.
const specs = [...allSpecs(report.suites)];
if (specs.length === 0) usage(`${source} has no specs to replicate`);
const baseBytes = Buffer.byteLength(JSON.stringify(report));
const perCopy = specs.reduce((sum, spec) => sum + Buffer.byteLength(specText(copyOf(spec, 1))) + 1, 0);
const copies = Math.max(1, Math.ceil((targetBytes - baseBytes) / perCopy) + 1);

// Buffered synchronous writer.
const writer = new ChunkedWriter(target);
const out = (text) => writer.out(text);

function writeSuite(suite) {
  out('{');
  let first = true;
  for (const [key, value] of Object.entries(suite)) {
    if (!first) out(',');
    first = false;
    out(JSON.stringify(key) + ':');
    if (key === 'specs') {
      out('[');
      let firstSpec = true;
      for (let k = 0; k < copies; k++) {
        for (const spec of value) {
          if (!firstSpec) out(',');
          firstSpec = false;
          out(specText(copyOf(spec, k)));
        }
      }
      out(']');
    } else if (key === 'suites') {
      out('[');
      value.forEach((child, index) => {
        if (index > 0) out(',');
        writeSuite(child);
      });
      out(']');
    } else {
      out(JSON.stringify(value));
    }
  }
  out('}');
}

const stats = { ...report.stats };
for (const key of ['expected', 'unexpected', 'flaky', 'skipped']) {
  if (typeof stats[key] === 'number') stats[key] *= copies;
}

out('{');
let firstKey = true;
for (const [key, value] of Object.entries({ ...report, stats })) {
  if (!firstKey) out(',');
  firstKey = false;
  out(JSON.stringify(key) + ':');
  if (key === 'suites') {
    out('[');
    value.forEach((suite, index) => {
      if (index > 0) out(',');
      writeSuite(suite);
    });
    out(']');
  } else {
    out(JSON.stringify(value));
  }
}
out('}\n');
writer.close();
const written = writer.written;

const tests = specs.reduce((sum, spec) => sum + spec.tests.length, 0) * copies;
process.stdout.write(
  `enlarge.js: ${source} -> ${target}: ${(written / 1048576).toFixed(1)} MB, ` +
    `${copies} copies of ${specs.length} specs (${tests} tests)\n`,
);
