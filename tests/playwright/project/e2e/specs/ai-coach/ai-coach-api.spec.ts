import { expect, test } from '@playwright/test';
import {
  BACKEND_URL,
  IS_LIVE,
  LIVE_MODE_SKIP_REASON,
  bypassHeaders,
  requireLiveBackend,
  requireWebsocketCapability,
} from '../../helpers/ai-coach-live';

test.describe('AI Coach — Backend API Health', () => {
  test.skip(!IS_LIVE, LIVE_MODE_SKIP_REASON);

  test('GET /health reports ok', async ({ request }) => {
    await requireLiveBackend(request, 'health');
    const response = await request.get(`${BACKEND_URL}/health`);
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok' });
  });

  test('protected endpoints reject a missing authorization header', async ({ request }) => {
    await requireLiveBackend(request, 'health');
    const response = await request.get(`${BACKEND_URL}/api/watchlist`);
    const body = await response.json();
    console.log(`expected 401 from /api/watchlist: ${body.message}`);
    expect(response.status()).toBe(401);
    expect(body.message).toBe('Missing or invalid authorization header');
  });
});

test.describe('AI Coach — Authenticated API', () => {
  test.skip(!IS_LIVE, LIVE_MODE_SKIP_REASON);

  test('watchlist returns the default symbols', async ({ request }) => {
    await requireLiveBackend(request, 'authenticated');
    const response = await request.get(`${BACKEND_URL}/api/watchlist`, { headers: bypassHeaders() });
    expect(response.ok()).toBeTruthy();
    expect((await response.json()).symbols).toEqual(['SPX', 'NDX', 'SPY', 'QQQ']);
  });

  test('scanner and morning brief respond', async ({ request }) => {
    await requireLiveBackend(request, 'authenticated');
    await test.step('scanner returns scored setups', async () => {
      const response = await request.post(`${BACKEND_URL}/api/scanner/scan`, { headers: bypassHeaders(), data: { symbols: ['SPX'] } });
      expect(response.ok()).toBeTruthy();
      const { setups } = await response.json();
      expect(setups.length).toBeGreaterThan(0);
    });
    await test.step('morning brief is available', async () => {
      const response = await request.get(`${BACKEND_URL}/api/brief/today`, { headers: bypassHeaders() });
      expect(response.ok()).toBeTruthy();
      expect((await response.json()).brief.symbols).toContain('SPX');
    });
  });
});

test.describe('AI Coach — WebSocket Auth', () => {
  test.skip(!IS_LIVE, LIVE_MODE_SKIP_REASON);

  test('rejects an unauthenticated channel subscribe', async ({ request }) => {
    await requireWebsocketCapability(request, 'authGate');
  });

  test('closes a subscribe to a foreign channel with 4403', async ({ request }) => {
    await requireWebsocketCapability(request, 'authz');
  });
});
