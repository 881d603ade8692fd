// Stand-in for the users' AI Coach backend, started by Playwright through `webServer`.
// It is NOT the real backend: it answers the few routes the fixture suite calls, and
// prints one JSON object per line to stdout like the real backend's logger.
//
// Behaviour is chosen by STUB_BACKEND_SCENARIO:
//   healthy          every route works; WebSocket capability probes report "not deployed" (default)
//   unhealthy        /health answers 503
//   prereqs-missing  /api/health/ready answers 503 (E2E user provisioning failed)
//   auth-401         the E2E auth bypass is rejected with 401
//   bootstrap-500    the backend cannot bootstrap the E2E bypass user: authenticated routes answer 500
//   down-on-retry    /health answers 200 once, then 503 twice (a short outage), then 200 again:
//                    the first test fails its own /health check, and its retry finds the backend
//                    unhealthy and skips itself (`test.skip(!healthy, ...)`, non-strict runs)
//   crash            logs a bootstrap failure and exits 1 before listening
'use strict';

const http = require('node:http');

const scenario = process.env.STUB_BACKEND_SCENARIO || 'healthy';
const port = Number(process.env.STUB_BACKEND_PORT || 3001);

function log(level, message, extra) {
  // Fixed timestamp so the stub's log lines are reproducible.
  const line = { level, message, timestamp: '2026-02-09T14:13:00.000Z', service: 'ai-coach-backend', ...extra };
  process.stdout.write(JSON.stringify(line) + '\n');
}

if (scenario === 'crash') {
  log('error', 'Environment validation failed: SUPABASE_SERVICE_ROLE_KEY is required', { missing: ['SUPABASE_SERVICE_ROLE_KEY'] });
  log('error', 'Failed to start server', { error: 'Environment validation failed' });
  process.exit(1);
}

let healthCalls = 0;
const trackedSetups = new Map();
let nextSetupId = 1;

function send(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function authorized(req) {
  const header = req.headers.authorization || '';
  const match = /^Bearer (e2e:(?:[^:]+:)?[0-9a-f-]{36})$/.exec(header);
  if (!match) {
    return { ok: false, status: 401, body: { error: 'Unauthorized', message: 'Missing or invalid authorization header' } };
  }
  if (scenario === 'auth-401') {
    log('warn', 'Invalid E2E bypass token format', { path: req.url });
    log('error', 'Authentication failed', { reason: 'e2e bypass disabled', path: req.url });
    return { ok: false, status: 401, body: { error: 'Unauthorized', message: 'Authentication failed' } };
  }
  return { ok: true };
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => {
      try {
        resolve(data ? JSON.parse(data) : {});
      } catch {
        resolve({});
      }
    });
  });
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://127.0.0.1:${port}`);
  const path = url.pathname;

  if (path === '/livez') return send(res, 200, { status: 'alive' });

  if (path === '/health') {
    healthCalls += 1;
    const outage = scenario === 'down-on-retry' && (healthCalls === 2 || healthCalls === 3);
    if (scenario === 'unhealthy' || outage) {
      log('error', 'Health check failed', { checks: { database: 'down', redis: 'ok' } });
      return send(res, 503, { status: 'degraded', checks: { database: 'down', redis: 'ok' } });
    }
    return send(res, 200, { status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  }

  if (path === '/api/health/ready') {
    if (scenario === 'prereqs-missing') {
      log('error', 'E2E user provisioning failed', { error: 'relation "public.ai_coach_profiles" does not exist', code: '42P01' });
      return send(res, 503, { ready: false, database: 'ok', serviceRole: 'missing', error: 'E2E user provisioning failed' });
    }
    return send(res, 200, { ready: true, database: 'ok', serviceRole: 'ok' });
  }

  if (path === '/api/ws/capabilities') {
    // The deployed backend has not shipped the WebSocket auth gate nor channel authz yet.
    return send(res, 200, { authGate: false, authz: false });
  }

  if (!path.startsWith('/api/')) return send(res, 404, { error: 'Not found' });

  const auth = authorized(req);
  if (!auth.ok) return send(res, auth.status, auth.body);
  if (scenario === 'bootstrap-500') {
    log('error', 'E2E auth bootstrap failed', { error: 'duplicate key value violates unique constraint "users_pkey"', path });
    return send(res, 500, { error: 'Internal server error', message: 'E2E auth bootstrap failed' });
  }

  if (path === '/api/auth/e2e/preflight') return send(res, 200, { ok: true, userId: '00000000-0000-4000-8000-00000000e2e0' });
  if (path === '/api/watchlist') return send(res, 200, { symbols: ['SPX', 'NDX', 'SPY', 'QQQ'] });
  if (path === '/api/scanner/scan' && req.method === 'POST') {
    return send(res, 200, { setups: [{ symbol: 'SPX', type: 'orb_breakout', score: 0.82 }] });
  }
  if (path === '/api/e2e/simulate/setup-detected' && req.method === 'POST') {
    const body = await readBody(req);
    const id = `ts_${nextSetupId++}`;
    trackedSetups.set(id, { id, symbol: body.symbol || 'SPX', status: 'active' });
    log('info', 'setup_detected simulated', { trackedSetupId: id });
    return send(res, 201, { trackedSetupId: id });
  }
  if (path === '/api/tracked-setups' && req.method === 'GET') {
    return send(res, 200, { trackedSetups: [...trackedSetups.values()] });
  }
  const tracked = /^\/api\/tracked-setups\/([^/]+)$/.exec(path);
  if (tracked) {
    const setup = trackedSetups.get(tracked[1]);
    if (!setup) return send(res, 404, { error: 'Not found' });
    if (req.method === 'PATCH') {
      const body = await readBody(req);
      setup.status = body.status || setup.status;
      return send(res, 200, setup);
    }
    if (req.method === 'DELETE') {
      trackedSetups.delete(setup.id);
      return send(res, 204, {});
    }
  }
  if (path === '/api/brief/today') {
    return send(res, 200, { brief: { date: '2026-02-09', headline: 'SPX opens above overnight high', symbols: ['SPX', 'NDX'] } });
  }
  return send(res, 404, { error: 'Not found' });
});

server.listen(port, '127.0.0.1', () => {
  log('info', 'AI Coach backend listening', { port, scenario });
  if (scenario === 'healthy') log('warn', 'Redis unavailable, running without cache');
});
