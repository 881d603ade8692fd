// Kitchen sink: one test per Playwright outcome (chromium project only).
import { expect, test } from '@playwright/test';

test.describe('Kitchen sink — outcomes', () => {
  test('passes', async () => {
    expect(1 + 1).toBe(2);
  });

  test('fails with a diff inside a step', async () => {
    await test.step('compare the tracked setup', async () => {
      const actual = { symbol: 'SPX', setups: 2, status: 'active', tags: ['orb', 'vwap'] };
      expect(actual).toEqual({ symbol: 'SPX', setups: 3, status: 'triggered', tags: ['orb', 'vwap'] });
    });
  });

  test('skipped with a reason', async () => {
    test.skip(true, 'Feature flag ai_coach_v2_scanner is off in this environment');
  });

  test.fixme('fixme: brief renders on weekends', async () => {
    expect(true).toBe(false);
  });

  test('expected failure (test.fail) counts as passed', async () => {
    test.fail(true, 'Known bug: scanner rounds scores down');
    expect(Math.round(0.82 * 100) / 100).toBe(0.8);
  });

  test('times out', async () => {
    test.setTimeout(300);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  });
});

test.describe('Kitchen sink — conditional skip', () => {
  test.skip(({ browserName }) => browserName === 'chromium', 'WebKit-only gesture check');

  test('pinch zoom on the chart', async () => {
    expect(true).toBe(true);
  });
});
