// The app:// handler end to end over a temporary renderer directory: files, SPA
// fallback, refusals, and the security headers on every response (checklist items 7, 18).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { appProtocolResponse } from '../../../main/security/app-response';
import { contentSecurityPolicy } from '../../../main/security/csp';

const dir = mkdtempSync(join(tmpdir(), 'xendeck-renderer-'));
const rendererDir = join(dir, 'out', 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>XenDeck</title>');
writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(dir, 'out', 'secret.txt'), 'outside');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSecurityHeaders(r: Response): void {
  expect(r.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
  expect(r.headers.get('x-content-type-options')).toBe('nosniff');
  expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
}

describe('appProtocolResponse', () => {
  it('serves index.html and assets with their types and the headers', async () => {
    const html = await appProtocolResponse({ url: 'app://xendeck/index.html' }, rendererDir);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await html.text()).toContain('<title>XenDeck</title>');
    expectSecurityHeaders(html);

    const js = await appProtocolResponse({ url: 'app://xendeck/assets/app.js' }, rendererDir);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toBe('console.log(1)');
  });

  it('answers client-side routes with index.html', async () => {
    const r = await appProtocolResponse({ url: 'app://xendeck/domains/7' }, rendererDir);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>XenDeck</title>');
  });

  it('404s a missing asset, with the headers', async () => {
    const r = await appProtocolResponse({ url: 'app://xendeck/assets/nope.js' }, rendererDir);
    expect(r.status).toBe(404);
    expectSecurityHeaders(r);
  });

  it('refuses traversal and other hosts without reading anything', async () => {
    const reads: string[] = [];
    const readFile = async (p: string): Promise<Uint8Array> => {
      reads.push(p);
      return new Uint8Array();
    };
    for (const url of ['app://xendeck/../secret.txt', 'app://xendeck/%2e%2e/secret.txt', 'app://other/index.html']) {
      const r = await appProtocolResponse({ url }, rendererDir, { readFile });
      expect(r.status, url).toBeGreaterThanOrEqual(400);
      expect(await r.text()).not.toContain('outside');
      expectSecurityHeaders(r);
    }
    expect(reads).toEqual([]);
  });

  it('allows only GET and HEAD', async () => {
    const post = await appProtocolResponse({ url: 'app://xendeck/index.html', method: 'POST' }, rendererDir);
    expect(post.status).toBe(405);
    const head = await appProtocolResponse({ url: 'app://xendeck/index.html', method: 'HEAD' }, rendererDir);
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('passes serve-mode CSP options through', async () => {
    const r = await appProtocolResponse({ url: 'app://xendeck/' }, rendererDir, { csp: { connectSrc: ['ws://127.0.0.1:1'] } });
    expect(r.headers.get('content-security-policy')).toContain("connect-src 'self' ws://127.0.0.1:1");
  });
});
