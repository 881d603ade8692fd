import { expect, test } from '@playwright/test';
import { BACKEND_URL, IS_LIVE, LIVE_MODE_SKIP_REASON, bypassHeaders, requireLiveBackend } from '../../helpers/ai-coach-live';

test.describe('AI Coach — Live Workflow', () => {
  test.skip(!IS_LIVE, LIVE_MODE_SKIP_REASON);

  test('scanner → detector simulation → tracked management → brief', async ({ request }) => {
    await requireLiveBackend(request, 'workflow');
    const headers = bypassHeaders();

    await test.step('scanner finds a setup', async () => {
      const response = await request.post(`${BACKEND_URL}/api/scanner/scan`, { headers, data: { symbols: ['SPX'] } });
      expect(response.ok()).toBeTruthy();
    });

    let trackedSetupId = '';
    await test.step('detector simulation auto-tracks the setup', async () => {
      const response = await request.post(`${BACKEND_URL}/api/e2e/simulate/setup-detected`, { headers, data: { symbol: 'SPX' } });
      expect(response.status()).toBe(201);
      trackedSetupId = (await response.json()).trackedSetupId;
    });
    console.log(`tracked setup ${trackedSetupId}`);

    await test.step('tracked setup lifecycle: trigger then close', async () => {
      for (const status of ['triggered', 'closed']) {
        const response = await request.patch(`${BACKEND_URL}/api/tracked-setups/${trackedSetupId}`, { headers, data: { status } });
        expect((await response.json()).status).toBe(status);
      }
    });

    await test.step('morning brief mentions the symbol', async () => {
      const response = await request.get(`${BACKEND_URL}/api/brief/today`, { headers });
      expect((await response.json()).brief.symbols).toContain('SPX');
    });
  });

  test('a tracked setup can be dismissed', async ({ request }) => {
    await requireLiveBackend(request, 'workflow');
    const headers = bypassHeaders();
    const created = await request.post(`${BACKEND_URL}/api/e2e/simulate/setup-detected`, { headers, data: { symbol: 'NDX' } });
    const { trackedSetupId } = await created.json();
    const deleted = await request.delete(`${BACKEND_URL}/api/tracked-setups/${trackedSetupId}`, { headers });
    expect(deleted.status()).toBe(204);
    const again = await request.get(`${BACKEND_URL}/api/tracked-setups/${trackedSetupId}`, { headers });
    expect(again.status()).toBe(404);
  });
});
