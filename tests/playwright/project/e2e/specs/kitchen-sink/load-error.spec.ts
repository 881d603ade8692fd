import { test } from '@playwright/test';

// Throws while the file is loaded, before any test is declared: a load error.
const seed = process.env.E2E_FIXTURE_SEED_FILE;
if (!seed) {
  throw new Error('E2E seed data missing: set E2E_FIXTURE_SEED_FILE before loading kitchen-sink/load-error.spec.ts');
}

test('never declared', async () => {});
