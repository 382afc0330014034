import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LocalApiClient, LocalApiError } from '../../../main/api/node-client';
import { Router } from '../../../main/api/router';
import { startConsoleServer, type ConsoleServer } from '../../../main/serve/console-server';
import { startLocalSocket } from '../../../main/serve/local-socket';
import { Lab } from '../../../main/services/lab';

let server: ConsoleServer;
let base: string;
const TOKEN = 'test-token-0123456789';

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xendeck-renderer-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startConsoleServer({ host: '127.0.0.1', port: 0, allowRemote: false, token: TOKEN, seed: 1, labDir: join(dir, 'lab'), socketPath: join(dir, 'run', 'api.sock'), rendererDir: dir }, 'test');
  base = `http://127.0.0.1:${server.port}`;
});
afterAll(async () => {
  await server.close();
});

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => undefined);
  });
}

describe('the headless console server', () => {
  it('prints a loopback URL carrying the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('answers 401 without the token, and with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get('/', { Cookie: 'xendeck_token=nope' })).status).toBe(401);
  });

  it('trades the URL token for an HttpOnly SameSite cookie and drops it from the address', async () => {
    const r = await get(`/domains?token=${TOKEN}`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('/domains');
    expect(String(r.headers['set-cookie'])).toContain('HttpOnly; SameSite=Strict');
    const page = await get('/domains', { Cookie: `xendeck_token=${TOKEN}` });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a foreign Host header (DNS rebinding) and path traversal', async () => {
    expect((await get('/', { Host: 'evil.example:80', Authorization: `Bearer ${TOKEN}` })).status).toBe(403);
    expect((await get('/..%2f..%2fetc/passwd', { Authorization: `Bearer ${TOKEN}` })).status).toBe(400);
  });

  it('opens the api WebSocket only with the token and from its own origin', async () => {
    const ws = `ws://127.0.0.1:${server.port}/api`;
    expect(await wsOutcome(ws)).toBe(401);
    expect(await wsOutcome(`${ws}?token=${TOKEN}`, { Origin: 'http://evil.example' })).toBe(403);
    expect(await wsOutcome(`${ws}?token=${TOKEN}`, { Origin: `http://127.0.0.1:${server.port}` })).toBe('open');
    expect(await wsOutcome(ws, { Cookie: `xendeck_token=${TOKEN}` })).toBe('open');
  });

  it('carries requests and replies over the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${TOKEN}`);
    await new Promise((r) => ws.once('open', r));
    const reply = new Promise<unknown>((r) => ws.once('message', (d) => r(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ t: 'req', id: 1, method: 'host.summary', params: { hostId: 'lab1' } }));
    expect(await reply).toMatchObject({ t: 'res', id: 1, ok: true, result: { id: 'lab1', nrCpus: 8 } });
    ws.close();
  });
});

describe('the local api socket for command-line clients', () => {
  it('is a 0600 socket in a 0700 folder and answers typed requests', async () => {
    const path = server.socketPath!;
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, '..')).mode & 0o777).toBe(0o700);
    const c = await LocalApiClient.connect(path);
    const doms = await c.request('domain.list', { hostId: 'lab1' });
    expect(doms.map((d) => d.name)).toEqual(['Domain-0']);
    const bad = await c.request('domain.pause', { hostId: 'lab1', domain: 'nosuch' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(LocalApiError);
    expect(bad).toMatchObject({ code: 'EINVAL', message: 'nosuch is an invalid domain identifier (rc=-6)' });
    c.close();
  });

  it('refuses to take over the socket of a XenDeck that is running', async () => {
    const router = new Router({ lab: Lab.withDefaultHost(), mode: 'serve', appVersion: 't' });
    await expect(startLocalSocket(router, server.socketPath!)).rejects.toThrow(/another XenDeck is already serving/);
    router.close();
  });

  it('says plainly when no XenDeck answers', async () => {
    await expect(LocalApiClient.connect(join(tmpdir(), 'nobody-here.sock'))).rejects.toMatchObject({ hint: expect.stringContaining('npm run serve') });
  });
});
