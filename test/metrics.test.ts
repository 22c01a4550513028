import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PASSWORD,
  call,
  createHarness,
  databaseKinds,
  signupAndLogin,
  uniqueEmail,
  type Harness,
} from './helpers/harness.js';
import { startMetricsServer } from '../src/http/metrics-server.js';
import { ConfigError, loadConfig } from '../src/config/config.js';

/** One sample of the Prometheus text exposition (format 0.0.4): name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the text exposition strictly: every line is a comment, blank, or a well-formed sample. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:[0-9.]+(?:e[+-]?[0-9]+)?|NaN|\+Inf|-Inf))$/.exec(
      line,
    );
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

describe.each(databaseKinds())('Prometheus metrics on %s', (kind) => {
  let h: Harness;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    server = await startMetricsServer(h.services.metrics, { host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await h.close();
  });

  const scrape = async () => {
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    return { text, samples: parsePrometheus(text) };
  };
  const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((sum, s) => sum + s.value, 0);

  it('counts requests by route template and status, and security events by type; nothing personal', async () => {
    const user = await signupAndLogin(h);
    const before = value((await scrape()).samples, 'twofold_security_events_total', { type: 'login.failed' });
    const wrong = await call(h.app, 'POST', '/api/v1/sessions', {
      body: { login: user.email, password: 'not it at all' },
    });
    expect(wrong.status).toBe(401);
    const missing = await call(h.app, 'GET', `/api/v1/users/${user.userId}x`, { token: user.token });
    expect(missing.status).toBe(404);

    const { text, samples } = await scrape();
    expect(value(samples, 'twofold_security_events_total', { type: 'login.failed' })).toBe(before + 1);
    expect(value(samples, 'twofold_security_events_total', { type: 'account.created' })).toBeGreaterThanOrEqual(1);
    expect(
      value(samples, 'twofold_http_requests_total', { method: 'POST', route: '/api/v1/sessions', status: '401' }),
    ).toBeGreaterThanOrEqual(1);
    // The route's template, never the path with its id.
    expect(
      value(samples, 'twofold_http_requests_total', { method: 'GET', route: '/api/v1/users/:id', status: '404' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      value(samples, 'twofold_http_request_duration_seconds_count', { route: '/api/v1/sessions', status_class: '4xx' }),
    ).toBeGreaterThanOrEqual(1);
    // Gauges read at the scrape, and the process's own (the event loop among them).
    expect(samples.some((s) => s.name === 'twofold_lockouts_active')).toBe(true);
    expect(samples.some((s) => s.name === 'twofold_nodejs_eventloop_lag_seconds')).toBe(true);
    if (kind === 'postgres')
      expect(value(samples, 'twofold_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    // No e-mail address, user id or session token anywhere in the text.
    expect(text).not.toContain(user.email);
    expect(text).not.toContain(user.userId);
    expect(text).not.toContain(user.token.split('.')[0]!);
  });

  it('queued mail and a lockout show in their gauges', async () => {
    const email = uniqueEmail();
    await call(h.app, 'POST', '/api/v1/accounts', { body: { email, password: PASSWORD } });
    for (let i = 0; i < 10; i++)
      await call(h.app, 'POST', '/api/v1/sessions', { body: { login: email, password: `wrong ${i}` } });
    const { samples } = await scrape();
    expect(value(samples, 'twofold_lockouts_active')).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'twofold_outbox_messages', { channel: 'email' })).toBeGreaterThanOrEqual(1);
    // The webhook outbox is reported even when empty (no endpoint here).
    expect(value(samples, 'twofold_outbox_messages', { channel: 'webhook' })).toBe(0);
  });

  it('answers only GET /metrics on its own address', async () => {
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(404);
    // …and the public app does not serve it.
    expect((await call(h.app, 'GET', '/metrics')).status).toBe(404);
  });
});

describe('TWOFOLD_METRICS_ADDRESS', () => {
  const dataDir = () => mkdtempSync(path.join(tmpdir(), 'twofold-metrics-'));
  it('is off by default, takes host:port (IPv6 in brackets), and names itself when wrong', () => {
    expect(loadConfig({ TWOFOLD_DATA_DIR: dataDir() }).metricsAddress).toBeNull();
    expect(
      loadConfig({ TWOFOLD_DATA_DIR: dataDir(), TWOFOLD_METRICS_ADDRESS: '127.0.0.1:9464' }).metricsAddress,
    ).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(loadConfig({ TWOFOLD_DATA_DIR: dataDir(), TWOFOLD_METRICS_ADDRESS: '[::1]:9464' }).metricsAddress).toEqual({
      host: '::1',
      port: 9464,
    });
    for (const wrong of ['9464', 'localhost', '127.0.0.1:99999'])
      expect(() => loadConfig({ TWOFOLD_DATA_DIR: dataDir(), TWOFOLD_METRICS_ADDRESS: wrong })).toThrow(ConfigError);
  });
});
