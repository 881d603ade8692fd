// Fixture-generating copy of the users' Playwright config (testDir './e2e', JSON reporter,
// retries 2 on CI, one worker). Written without defineConfig so that both pinned
// versions (1.58.2 and 1.20.2) load it. E2E_FIXTURE_* variables are set only by
// tests/playwright/generate.sh to pick a scenario.
import type { PlaywrightTestConfig } from '@playwright/test';

const backendUrl = (process.env.E2E_BACKEND_URL || 'http://127.0.0.1:3001').replace(/\/+$/, '');
const kitchenSink = process.env.E2E_FIXTURE_SUITE === 'kitchen-sink';
const ignored: string[] = [];
if (!kitchenSink) ignored.push('**/kitchen-sink/**');
if (process.env.E2E_FIXTURE_LOAD_ERROR !== '1') ignored.push('**/load-error.spec.ts');

const config: PlaywrightTestConfig = {
  testDir: './e2e',
  testIgnore: ignored,
  timeout: 10_000,
  expect: { timeout: 2_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 2 : 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: process.env.E2E_FIXTURE_JSON_OUTPUT || 'test-results/results.json' }]],
  globalSetup: process.env.E2E_FIXTURE_GLOBAL_SETUP === 'throw' ? './e2e/global-setup.ts' : undefined,
  use: {
    baseURL: backendUrl,
    trace: 'on-first-retry',
  },
  projects: kitchenSink
    ? [
        { name: 'chromium' },
        // A second project over the same files (a subset, to keep generation fast).
        { name: 'mobile-chrome', testMatch: ['**/ai-coach/*.spec.ts', '**/kitchen-sink/retries-and-projects.spec.ts'] },
      ]
    : [{ name: 'chromium' }],
  webServer: {
    command: 'node backend-stub/server.js',
    url: `${backendUrl}/livez`,
    reuseExistingServer: false,
    timeout: 15_000,
    env: {
      STUB_BACKEND_SCENARIO: process.env.STUB_BACKEND_SCENARIO || 'healthy',
      STUB_BACKEND_PORT: new URL(backendUrl).port || '80',
    },
    // Show the backend's JSON log lines as [WebServer] output (1.58; older versions ignore it).
    stdout: 'pipe',
    stderr: 'pipe',
  } as PlaywrightTestConfig['webServer'],
};

export default config;
