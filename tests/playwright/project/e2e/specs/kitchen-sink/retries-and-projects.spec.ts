// Kitchen sink: runs in both projects (chromium and mobile-chrome).
import { expect, test } from '@playwright/test';

test('flaky: fails on the first attempt, passes on retry', async ({}, testInfo) => {
  console.log(`attempt ${testInfo.retry + 1}`);
  expect(testInfo.retry, 'the first attempt always fails').toBeGreaterThan(0);
});

test('skipped on one project only', async ({}, testInfo) => {
  test.skip(testInfo.project.name === 'mobile-chrome', 'Desktop-only layout check');
  expect(testInfo.project.name).toBe('chromium');
});
