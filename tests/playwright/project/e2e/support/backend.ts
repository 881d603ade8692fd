// The live session bootstrap of the users' suite: before a strict live test talks to the
// backend, the E2E auth bypass is checked against the backend's preflight route, which
// bootstraps the bypass user. In the users' failing runs the backend answered 500
// ("E2E auth bootstrap failed") and every test of both required specs failed here.
//
// Called from requireLiveBackend (helpers/ai-coach-live.ts) in strict mode only, after the
// health check, so non-strict runs keep skipping and an unhealthy backend still fails at
// the health check.
//
// The status assertion sits on line 36, as in the users' report: keep it there.
import { expect } from '@playwright/test';
import type { APIRequestContext } from '@playwright/test';

function bypassToken(): string {
  return process.env.E2E_BYPASS_TOKEN || '';
}

function bypassUserId(): string | undefined {
  return process.env.E2E_BYPASS_USER_ID;
}

function sessionHeaders(): Record<string, string> {
  const headers: Record<string, string> = { Authorization: `Bearer ${bypassToken()}` };
  const userId = bypassUserId();
  if (userId) headers['x-e2e-user-id'] = userId;
  return headers;
}

/** Fails the current test unless the backend bootstraps the E2E bypass user. */
export async function bootstrapLiveSession(request: APIRequestContext, backendUrl: string): Promise<void> {
  const response = await request.get(`${backendUrl}/api/auth/e2e/preflight`, { headers: sessionHeaders() });
  if (!response.ok()) {
    // The same line the users' suite prints before failing, with the backend's answer.
    console.error(`Live auth bypass preflight failed: status ${response.status()} ${await response.text()}`);
  }
  expect(response.status()).toBe(200);
}
