#!/usr/bin/env node
// Makes a report with a given number of spec files, one test each, from a real Playwright report:
// the shape of a suite that grew by spec files as far as it goes (DESIGN.md section 9: memory
// stays flat whatever the number of spec files).
//
//   node benches/report/many-files.js <report.json> <out.json> <files> [passing|failing]
//
// The source's tests are taken as Playwright wrote them (results, errors, stdout, attachments,
// the describe blocks around them); `passing` keeps the tests whose status is `expected`,
// `failing` the tests that fail their spec file (`unexpected`, or skipped without being meant to
// be: did not run). Spec file k (k = 0 .. files-1) holds test k modulo their number, in its
// describe blocks, renamed `<name>-f<k>.spec.ts`; the first test taken from each source file
// keeps the file's name. Every file of the output has the same verdict. `stats` counts the
// tests of the output. Written indented as Playwright writes reports, in chunks. run.sh uses
// green.json for `passing` and max-failures.json for `failing` (one test failed after 3
// attempts with its real messages, seven did not run).
'use strict';

const { readReport, suiteText, writeIndentedReport } = require('./lib');

function usage(message) {
  process.stderr.write(
    `many-files.js: ${message}\nusage: node many-files.js <report.json> <out.json> <files> [passing|failing]\n`,
  );
  process.exit(2);
}

const [source, target, filesArg, kind = 'passing'] = process.argv.slice(2);
if (!source || !target || !filesArg) usage('a source report, an output path and a number of files are required');
const files = Number(filesArg);
if (!Number.isInteger(files) || files < 1) usage(`\`${filesArg}\` is not a positive whole number of files`);
if (kind !== 'passing' && kind !== 'failing') usage(`the kind must be passing or failing, not \`${kind}\``);

const report = readReport(source, usage);

const fails = (test) =>
  test.status === 'unexpected' || (test.status === 'skipped' && test.expectedStatus !== 'skipped');
const wanted = (test) => (kind === 'passing' ? test.status === 'expected' : fails(test));

// Every wanted test as a top-level suite (its spec file) holding only the describe blocks on the
// way to it, its spec and that one test.
function* oneTestSuites(suite, chain) {
  for (const spec of suite.specs || []) {
    for (const test of spec.tests || []) {
      if (!wanted(test)) continue;
      let inner = { ...suite, specs: [{ ...spec, tests: [test] }], suites: [] };
      for (let i = chain.length - 1; i >= 0; i--) inner = { ...chain[i], specs: [], suites: [inner] };
      yield inner;
    }
  }
  for (const child of suite.suites || []) yield* oneTestSuites(child, [...chain, suite]);
}
const templates = report.suites.flatMap((suite) => [...oneTestSuites(suite, [])]);
if (templates.length === 0) usage(`${source} has no ${kind} test`);

function renamed(value, from, to, k) {
  if (Array.isArray(value)) return value.map((v) => renamed(v, from, to, k));
  if (value && typeof value === 'object') {
    const out = {};
    for (const [key, v] of Object.entries(value)) {
      if ((key === 'file' || key === 'title') && v === from) out[key] = to;
      else if (key === 'id' && typeof v === 'string') out[key] = `${v}-f${k}`;
      else out[key] = renamed(v, from, to, k);
    }
    return out;
  }
  return value;
}

// The first test taken from each source file keeps the file's name (so the required specs of the
// default inputs are there); every other file is renamed.
const keepsName = new Set();
templates.forEach((suite, i) => {
  if (!templates.slice(0, i).some((earlier) => earlier.file === suite.file)) keepsName.add(i);
});

function fileCopy(k) {
  const suite = templates[k % templates.length];
  if (k < templates.length && keepsName.has(k)) return suite;
  const from = suite.file;
  let to = from.replace(/(\.(spec|test)\.[cm]?[jt]sx?)$/, `-f${k}$1`);
  if (to === from) to = `${from}-f${k}`;
  return renamed(suite, from, to, k);
}


const stats = { ...report.stats, expected: 0, unexpected: 0, flaky: 0, skipped: 0 };
for (let k = 0; k < files; k++) {
  const test = templates[k % templates.length];
  let inner = test;
  while (inner.specs.length === 0) inner = inner.suites[0];
  const status = inner.specs[0].tests[0].status;
  if (status in stats) stats[status] += 1;
}

const written = writeIndentedReport(target, report, stats, function* () {
  for (let k = 0; k < files; k++) yield suiteText(fileCopy(k));
});
process.stdout.write(
  `many-files.js: ${source} -> ${target}: ${(written / 1048576).toFixed(1)} MB, ${files} spec files ` +
    `(${kind}, one test each, from ${templates.length} tests of the source)\n`,
);
