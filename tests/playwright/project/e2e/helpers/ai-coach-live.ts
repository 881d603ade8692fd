// Live-backend helpers shared by the AI Coach specs, modelled on the users' suite:
// non-strict runs SKIP when the backend is not ready, strict runs
// (E2E_AI_COACH_REQUIRE_LIVE=true) FAIL instead.
import { expect, test } from '@playwright/test';
import type { APIRequestContext } from '@playwright/test';

export const AI_COACH_MODE = process.env.E2E_AI_COACH_MODE || 'mock';
export const REQUIRE_LIVE = process.env.E2E_AI_COACH_REQUIRE_LIVE === 'true';
export const BACKEND_URL = (process.env.E2E_BACKEND_URL || 'http://127.0.0.1:3001').replace(/\/+$/, '');
export const IS_LIVE = AI_COACH_MODE === 'live';
export const LIVE_MODE_SKIP_REASON = 'Set E2E_AI_COACH_MODE=live to run backend-integrated AI Coach API checks';

export type LivePurpose = 'health' | 'authenticated' | 'workflow';

export function bypassHeaders(): Record<string, string> {
  const token = process.env.E2E_BYPASS_TOKEN || '';
  const userId = process.env.E2E_BYPASS_USER_ID;
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (userId) headers['x-e2e-user-id'] = userId;
  return headers;
}

function notReady(ready: boolean, reason: string): void {
  if (ready) return;
  if (REQUIRE_LIVE) {
    // Strict mode: the run must prove the backend, so an unready backend is a failure.
    expect(ready, reason).toBe(true);
  }
  test.skip(true, reason);
}

/** Skips (non-strict) or fails (strict) the current test unless the live backend can serve `purpose`. */
export async function requireLiveBackend(request: APIRequestContext, purpose: LivePurpose): Promise<void> {
  const health = await request.get(`${BACKEND_URL}/health`);
  notReady(health.ok(), `Live backend not healthy at ${BACKEND_URL}`);
  if (REQUIRE_LIVE) await bootstrapLiveSession(request, BACKEND_URL);
  if (purpose === 'health') return;

  const ready = await request.get(`${BACKEND_URL}/api/health/ready`);
  if (!ready.ok()) {
    console.error(`[ai-coach-live] readiness probe answered ${ready.status()}: ${await ready.text()}`);
  }
  notReady(
    ready.ok(),
    `Live backend database/service-role prerequisites are not ready for ${purpose === 'workflow' ? 'workflow' : 'authenticated'} E2E`,
  );

  const preflight = await request.get(`${BACKEND_URL}/api/auth/e2e/preflight`, { headers: bypassHeaders() });
  if (!preflight.ok()) {
    console.error(`[ai-coach-live] auth bypass preflight with token ${process.env.E2E_BYPASS_TOKEN} answered ${preflight.status()}: ${await preflight.text()}`);
  }
  notReady(preflight.ok(), `Live auth bypass preflight failed: status ${preflight.status()}`);
}

/** Capability probe: skips (even in strict mode) when the deployed backend lacks a WebSocket feature. */
export async function requireWebsocketCapability(request: APIRequestContext, capability: 'authGate' | 'authz'): Promise<void> {
  const response = await request.get(`${BACKEND_URL}/api/ws/capabilities`);
  const capabilities = response.ok() ? await response.json() : {};
  if (capability === 'authGate') {
    test.skip(capabilities.authGate !== true, `Live backend websocket auth gate is not yet enforced at ${BACKEND_URL}`);
  } else {
    test.skip(capabilities.authz !== true, `Live backend websocket authz capability not yet deployed at ${BACKEND_URL}`);
  }
}

// Imports are hoisted: this one sits at the end so that the lines above keep the numbers the
// committed reports point at (e.g. the strict-failure report's `helpers/ai-coach-live.ts:27`).
import { bootstrapLiveSession } from '../support/backend';
