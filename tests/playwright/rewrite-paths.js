#!/usr/bin/env node
// Copies a generated Playwright report (or console log) and replaces the absolute path of
// the generating project folder with the users' GitHub Actions checkout path, so committed
// fixtures look like the users' CI output and hold no local path.
//
// usage: node rewrite-paths.js <project-dir> <input> <output> [forbidden-substring...]
// Exits 1 when the input is missing or when a forbidden substring (e.g. the temporary work
// folder or the repository path) is still present after the rewrite.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const CI_CHECKOUT = '/home/runner/work/ITM-gd/ITM-gd';

function main(argv) {
  const [projectDir, input, output, ...forbidden] = argv;
  if (!projectDir || !input || !output) {
    console.error('usage: node rewrite-paths.js <project-dir> <input> <output> [forbidden-substring...]');
    return 2;
  }
  if (!fs.existsSync(input)) {
    console.error(`rewrite-paths: ${input} does not exist (Playwright wrote no report?)`);
    return 1;
  }
  const from = path.resolve(projectDir).replace(/\/+$/, '');
  const candidates = new Set([from]);
  try {
    candidates.add(fs.realpathSync(from));
  } catch {
    // keep the path as given
  }
  // Read and write as bytes-through-latin1 so invalid UTF-8 or odd bytes survive unchanged.
  let text = fs.readFileSync(input, 'latin1');
  for (const candidate of [...candidates].sort((a, b) => b.length - a.length)) {
    text = text.split(Buffer.from(candidate, 'utf8').toString('latin1')).join(CI_CHECKOUT);
  }
  for (const needle of forbidden.filter(Boolean)) {
    const at = text.indexOf(Buffer.from(needle, 'utf8').toString('latin1'));
    if (at !== -1) {
      const context = Buffer.from(text.slice(Math.max(0, at - 80), at + 120), 'latin1').toString('utf8');
      console.error(`rewrite-paths: ${input} still contains the local path ${needle} at byte ${at}:\n  ${JSON.stringify(context)}`);
      return 1;
    }
  }
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, text, 'latin1');
  return 0;
}

process.exitCode = main(process.argv.slice(2));
