/**
 * The first e2e test: the served console opens in a real Chromium, the shell renders,
 * the api answers over the WebSocket, a domain is created, paused and destroyed through
 * the GUI, a config error names its line, and a screenshot is written.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2e, type E2eEnv } from './browser';

let env: E2eEnv;
beforeAll(async () => {
  env = await startE2e();
});
afterAll(async () => {
  await env?.close();
});

describe('served console in Chromium', () => {
  it('refuses requests without the token (401)', async () => {
    const base = env.server.url.replace(/\?token=.*$/, '');
    expect((await fetch(base)).status).toBe(401);
    expect((await fetch(`${base}?token=wrong-token-wrong-token`)).status).toBe(401);
    expect((await fetch(`${base}dashboard`, { headers: { Authorization: `Bearer ${env.server.token}` } })).status).toBe(200);
  });

  it('opens the shell with the sidebar, the status bar and the engine version', async () => {
    const { page } = env;
    const res = await page.goto(env.server.url);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForURL(/\/dashboard$/);
    expect(page.url()).not.toContain('token=');
    for (const label of ['Dashboard', 'Hosts', 'Domains', 'Consoles', 'Migration', 'Security', 'Settings']) {
      await expect.poll(() => page.getByRole('navigation', { name: 'Main' }).getByText(label, { exact: true }).count()).toBe(1);
    }
    await expect.poll(() => page.locator('[data-test=connection-state]').textContent()).toBe('connected');
    await expect.poll(() => page.locator('[data-test=engine-version]').textContent()).toContain('Xen 4.17');
    await expect.poll(() => page.locator('[data-test=host-card]').count()).toBe(1);
  });

  it('does api round trips over the WebSocket, and bad requests get typed errors', async () => {
    const wsUrl = env.server.url.replace(/^http/, 'ws').replace(/\/\?token=.*$/, '/api');
    const replies = await env.page.evaluate(async (url) => {
      const ws = new WebSocket(url);
      const got: unknown[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => {
          ws.send(JSON.stringify({ t: 'req', id: 1, method: 'app.info', params: {} }));
          ws.send(JSON.stringify({ t: 'req', id: 2, method: 'domain.list', params: { hostId: 'lab1' } }));
          ws.send(JSON.stringify({ t: 'req', id: 3, method: 'no.such', params: {} }));
          ws.send(JSON.stringify({ t: 'req', id: 4, method: 'domain.pause', params: { hostId: 'lab1' } }));
          ws.send('not json');
        };
        ws.onmessage = (e) => {
          got.push(JSON.parse(e.data as string));
          if (got.length === 5) resolve();
        };
        ws.onerror = () => reject(new Error('websocket error'));
      });
      ws.close();
      return got as { id: number; ok: boolean; result?: Record<string, unknown>; error?: { code: string; message: string } }[];
    }, wsUrl);
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(byId.get(1)).toMatchObject({ ok: true, result: { mode: 'serve', apiVersion: 1 } });
    expect(byId.get(2)?.ok).toBe(true);
    expect((byId.get(2)?.result as unknown as { name: string }[])[0]?.name).toBe('Domain-0');
    expect(byId.get(3)?.error?.code).toBe('ENOMETHOD');
    expect(byId.get(4)?.error?.code).toBe('EBADREQ');
    expect(byId.get(4)?.error?.message).toContain('domain');
    expect(byId.get(-1)?.error?.code).toBe('EBADREQ');
  });

  it('creates a domain from xl.cfg text, pauses and destroys it through the GUI', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('1 of 1');

    await page.getByRole('button', { name: 'From xl.cfg…' }).click();
    const cfg = page.getByLabel('xl.cfg');
    await cfg.fill('name = "web1"\ntype = "pvh"\nmemory = = 512\n');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.locator('[data-test=create-error]').textContent()).toContain("guest1.cfg:3: config parsing error near `='");

    await cfg.fill('name = "web1"\ntype = "pvh"\nmemory = 512\nvcpus = 2\n');
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.locator('[data-test=create-dry-run]').textContent()).toContain('512 MiB');
    await page.getByRole('button', { name: 'Create', exact: true }).click();

    const row = page.locator('[role=row][data-domid="1"]');
    await expect.poll(() => row.textContent()).toContain('web1');
    expect(await row.textContent()).toContain('512');
    await row.hover(); // row actions show on the row under the pointer (or the keyboard)
    await row.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => row.textContent()).toContain('paused');

    await page.screenshot({ path: 'test/e2e/artifacts/domains.png' });

    page.once('dialog', (d) => void d.accept());
    await row.hover();
    await row.getByRole('button', { name: 'Destroy' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('1 of 1');
    const doms = await env.server.lab.host('lab1').listDomains();
    expect(doms.map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('renders the dashboard with the events it saw and writes a screenshot', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.getByText('created web1 (domid 1)').count()).toBe(1);
    mkdirSync('test/e2e/artifacts', { recursive: true });
    await page.screenshot({ path: 'test/e2e/artifacts/shell.png' });
  });

  it('adds a real host only when it answers, and says why not', async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await expect.poll(() => page.locator('[data-host=lab1]').textContent()).toContain('online');
    await page.getByRole('button', { name: 'Add a real host…' }).click();
    await page.getByLabel('Address').fill('127.0.0.1');
    await page.getByLabel('SSH port').fill('1');
    // a key that exists, so what fails is the connection (the machine may have no ~/.ssh)
    const key = join(mkdtempSync(join(tmpdir(), 'xendeck-e2e-key-')), 'id_rsa');
    writeFileSync(key, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    await page.getByLabel('Private key file').fill(key);
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toContain('EREMOTE');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await env.server.lab.list()).map((h) => h.id)).toEqual(['lab1']);
  });

  it("shows a host's xl dmesg and sends it debug keys (Xen's 'q' dump lands in the ring)", async () => {
    const { page } = env;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('button', { name: 'dmesg' }).first().click();
    await expect.poll(() => page.locator('[data-test=dmesg]').textContent()).toContain('(XEN)');
    await page.getByLabel('Debug keys').fill('q');
    await page.getByRole('button', { name: 'Send (xl debug-keys)' }).click();
    await expect.poll(() => page.locator('[data-test=dmesg]').textContent()).toContain("'q' pressed -> dumping domain info");
  });

  it('saw no console error and no CSP violation', () => {
    expect(env.problems).toEqual([]);
  });
});
