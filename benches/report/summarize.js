#!/usr/bin/env node
// Baseline for the report benchmark: what a Node.js script does without streaming.
//
//   node benches/report/summarize.js <report.json>
//
// Reads the whole report with JSON.parse(fs.readFileSync(...)), walks the suites and counts each
// spec file's tests by outcome the way itm-gate does (DESIGN.md section 3: passed = expected,
// failed = unexpected, flaky, skipped; did_not_run = skipped without expectedStatus `skipped`),
// then prints a per-file verdict (FAIL on any failure or test that did not run, SKIP when all
// skipped, else PASS) and the totals.
'use strict';

const fs = require('fs');

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node summarize.js <report.json>\n');
  process.exit(2);
}

const report = JSON.parse(fs.readFileSync(file, 'utf8'));
const files = new Map();
const totals = { passed: 0, failed: 0, flaky: 0, skipped: 0, did_not_run: 0 };

function count(spec) {
  const path = spec.file;
  let entry = files.get(path);
  if (!entry) {
    entry = { passed: 0, failed: 0, flaky: 0, skipped: 0, did_not_run: 0, skipReasons: new Set() };
    files.set(path, entry);
  }
  for (const test of spec.tests || []) {
    let key;
    switch (test.status) {
      case 'expected': key = 'passed'; break;
      case 'unexpected': key = 'failed'; break;
      case 'flaky': key = 'flaky'; break;
      case 'skipped': key = 'skipped'; break;
      default: continue;
    }
    entry[key]++;
    totals[key]++;
    if (key === 'skipped') {
      if (test.expectedStatus !== 'skipped') {
        entry.did_not_run++;
        totals.did_not_run++;
      }
      for (const annotation of test.annotations || []) {
        if (annotation.type === 'skip' && annotation.description) entry.skipReasons.add(annotation.description);
      }
    }
  }
}

function walk(suites) {
  for (const suite of suites || []) {
    for (const spec of suite.specs || []) count(spec);
    walk(suite.suites);
  }
}
walk(report.suites);

let result = 'PASS';
for (const [path, c] of [...files.entries()].sort()) {
  let verdict = 'PASS';
  if (c.failed > 0 || c.did_not_run > 0) verdict = 'FAIL';
  else if (c.skipped > 0 && c.passed + c.flaky === 0) verdict = 'SKIP';
  if (verdict === 'FAIL' || (report.errors || []).length > 0) result = 'FAIL';
  console.log(
    `${verdict} ${path}: ${c.passed} passed, ${c.failed} failed, ${c.flaky} flaky, ` +
      `${c.skipped} skipped (${c.did_not_run} did not run); ${c.skipReasons.size} skip reasons`,
  );
}
const ran = totals.passed + totals.failed + totals.flaky;
if (ran === 0) result = 'FAIL';
console.log(
  `result=${result} passed=${totals.passed} failed=${totals.failed} flaky=${totals.flaky} ` +
    `skipped=${totals.skipped} did_not_run=${totals.did_not_run}`,
);
