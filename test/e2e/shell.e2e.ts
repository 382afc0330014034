/**
 * The first e2e test: the served console opens in a real Chromium, the shell renders,
 * the api answers over the WebSocket, a domain is created, paused and destroyed through
 * the GUI, a config error names its line, and a screenshot is written.
 */
import { mkdirSync } from 'node:fs';
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
    await page.getByRole('button', { name: 'Connect' }).click();
    await expect.poll(() => page.getByRole('alert').first().textContent(), { timeout: 20_000 }).toContain('EREMOTE');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect((await env.server.lab.list()).map((h) => h.id)).toEqual(['lab1']);
  });

  it('saw no console error and no CSP violation', () => {
    expect(env.problems).toEqual([]);
  });
});

describe('the creation wizard', () => {
  let w: E2eEnv;
  beforeAll(async () => {
    w = await startE2e();
    await w.page.goto(w.server.url);
    await w.page.waitForURL(/\/dashboard$/);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('builds an xl.cfg step by step, shows the toolstack verdict live, creates the domain', async () => {
    const { page } = w;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('button', { name: 'Create domain…' }).click();
    await page.waitForURL(/\/domains\/new$/);
    await page.getByText('PV Linux', { exact: true }).click();
    await page.getByLabel('Domain name').fill('web2');
    await expect.poll(() => page.locator('[data-test=wizard-ok]').textContent()).toContain('PV domain web2');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('vcpus', { exact: true }).fill('4');
    await page.getByLabel('maxvcpus').fill('2');
    await expect.poll(() => page.locator('[data-test=wizard-error]').textContent()).toContain('xl: maxvcpus < vcpus');
    await page.getByLabel('maxvcpus').fill('8');
    await expect.poll(() => page.locator('[data-test=wizard-ok]').textContent()).toContain('4 of 8 vCPUs online');
    await page.screenshot({ path: 'test/e2e/artifacts/wizard.png' });

    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Next' }).click();
    const cfg = await page.getByLabel('The exact xl.cfg').inputValue();
    expect(cfg).toContain('name = "web2"');
    expect(cfg).toContain('maxvcpus = 8');
    expect(cfg).toContain("disk = [ \"format=raw, vdev=xvda, access=rw, target=/var/lib/xen/images/web2.img\" ]");
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=wizard-created]').textContent()).toContain('Created web2');

    await page.getByRole('button', { name: 'Show it in the list' }).click();
    await expect.poll(() => page.locator('[role=row][data-domid="1"]').textContent()).toContain('web2');
    const d = await w.server.lab.host('lab1').domain('web2');
    expect(d).toMatchObject({ type: 'pv', maxVcpus: 8, memoryMiB: 1024 });
  });

  it('saw no console error', () => {
    expect(w.problems).toEqual([]);
  });
});

describe('pools and scheduler parameters', () => {
  let w: E2eEnv;
  beforeAll(async () => {
    w = await startE2e();
    await w.page.goto(w.server.url);
    await w.page.waitForURL(/\/dashboard$/);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('frees two pCPUs, makes a credit pool of them, then changes a domain\'s weight and moves it there', async () => {
    const { page } = w;
    const host = w.server.lab.host('lab1');
    await host.createDomain({ configText: 'name = "db1"\nmemory = 256\nvcpus = 2\n' });
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('link', { name: 'lab1' }).click();
    await page.waitForURL(/\/hosts\/lab1$/);
    await page.getByRole('button', { name: 'pCPU 6', exact: true }).click();
    await page.getByRole('button', { name: 'pCPU 7', exact: true }).click();
    await page.getByRole('button', { name: 'Free them' }).click();
    await expect.poll(() => page.locator('[data-test=host-message]').textContent()).toContain('removed from their pools');
    await page.getByRole('button', { name: 'pCPU 6', exact: true }).click();
    await page.getByRole('button', { name: 'pCPU 7', exact: true }).click();
    await page.getByLabel('New pool name').fill('cp-credit');
    await page.getByLabel('New pool scheduler').selectOption('credit');
    await page.getByRole('button', { name: /Create with the 2 selected/ }).click();
    await expect.poll(() => page.locator('[data-pool=cp-credit]').textContent()).toContain('credit');
    await page.screenshot({ path: 'test/e2e/artifacts/host.png' });
    expect((await host.listCpupools()).map((p) => [p.name, p.cpus])).toEqual([['Pool-0', [0, 1, 2, 3, 4, 5]], ['cp-credit', [6, 7]]]);

    await page.getByRole('link', { name: 'Domains' }).click();
    await page.getByRole('link', { name: 'db1' }).click();
    await page.waitForURL(/\/domains\/1$/);
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('credit2');
    await page.getByLabel('weight').fill('512');
    await page.getByRole('button', { name: /^Apply/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('weight 512');
    expect((await host.domainSched('db1')).params.weight).toBe(512);
    await page.getByLabel('weight').fill('0');
    await page.getByRole('button', { name: /^Apply/ }).click();
    await expect.poll(() => page.locator('[data-test=detail-message]').textContent()).toContain('Cpu weight out of range');

    await page.getByLabel('CPU pool').selectOption('cp-credit');
    await page.getByRole('button', { name: /^Move/ }).click();
    await expect.poll(() => page.locator('[data-test=sched-card]').textContent()).toContain('Scheduler: credit (pool cp-credit)');
    expect((await host.domain('db1')).cpupool).toBe('cp-credit');
    expect(await page.locator('[data-test=domain-config]').textContent()).toContain('name = "db1"');
    await expect.poll(() => page.locator('[data-test=domain-charts] canvas').count()).toBe(3);
    await expect.poll(() => page.locator('[data-test=domain-charts] > p').textContent(), { timeout: 5000 }).toContain('% CPU');
    await page.screenshot({ path: 'test/e2e/artifacts/domain.png' });
  });

  it('saw no console error', () => {
    expect(w.problems).toEqual([]);
  });
});

describe('the domain list at work: sorting, bulk actions, keyboard, command palette', () => {
  let w: E2eEnv;
  beforeAll(async () => {
    w = await startE2e();
    const host = w.server.lab.host('lab1');
    for (const [name, mem] of [['alpha', 128], ['bravo', 512], ['charlie', 256]] as const) await host.createDomain({ configText: `name = "${name}"\nmemory = ${mem}\n` });
    await w.page.goto(w.server.url);
    await w.page.waitForURL(/\/dashboard$/);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('shows the pCPU heat map on the dashboard', async () => {
    await expect.poll(() => w.page.locator('[data-test=heat-map] canvas').count()).toBe(1);
    expect(await w.page.locator('[data-test=heat-map] figcaption').textContent()).toContain('8 pCPUs');
  });

  it('sorts by memory, pauses a selection in bulk, and opens a domain from the keyboard', async () => {
    const { page } = w;
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('4 of 4');
    await page.getByRole('columnheader', { name: 'Mem (MiB)' }).click();
    const names = async (): Promise<string[]> => page.locator('.body [role=row] .name').allTextContents();
    await expect.poll(names).toEqual(['Domain-0', 'bravo', 'charlie', 'alpha']);

    await page.getByLabel('Select all shown domains').check();
    await expect.poll(() => page.locator('[data-test=bulk-bar]').textContent()).toContain('3 selected');
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Pause', exact: true }).click();
    const host = w.server.lab.host('lab1');
    await expect.poll(async () => (await host.listDomains()).filter((d) => d.state[2] === 'p').map((d) => d.name).sort()).toEqual(['alpha', 'bravo', 'charlie']);

    await page.locator('.body[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/domains\/2$/);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('bravo');
  });

  it('runs an action from the command palette (Ctrl+K)', async () => {
    const { page } = w;
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).count()).toBe(1);
    await page.getByLabel('Command', { exact: true }).fill('unpause alpha');
    await page.keyboard.press('Enter');
    const host = w.server.lab.host('lab1');
    await expect.poll(async () => (await host.domain('alpha')).state[2]).toBe('-');
    await page.keyboard.press('Control+k');
    await expect.poll(() => page.getByRole('dialog', { name: 'Command palette' }).count()).toBe(1);
    await page.getByLabel('Command', { exact: true }).fill('Create a domain');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/domains\/new$/);
  });

  it('lists the events it saw, and a failure comes as a notification with its code', async () => {
    const { page } = w;
    await page.getByRole('link', { name: 'Domains' }).click();
    await page.locator('[role=row][data-domid="2"]').hover();
    await page.locator('[role=row][data-domid="2"]').getByRole('button', { name: 'Unpause' }).click();
    await expect.poll(() => page.locator('[role=row][data-domid="2"]').textContent()).toContain('Pause');
    await page.locator('[role=row][data-domid="3"]').getByLabel('Select charlie').check();
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Unpause', exact: true }).click();
    await page.locator('[data-test=bulk-bar]').getByRole('button', { name: 'Unpause', exact: true }).click();
    await expect.poll(() => page.locator('[data-test=notification]').first().textContent()).toContain('1 failed');
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Filter events').fill('bravo');
    await expect.poll(() => page.locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('tbody').textContent()).toContain('bravo (domid 2) is now');
    await page.screenshot({ path: 'test/e2e/artifacts/events.png' });
  });

  it('saw no console error', () => {
    expect(w.problems).toEqual([]);
  });
});

describe('a second, simulated host', () => {
  let w: E2eEnv;
  beforeAll(async () => {
    w = await startE2e();
    await w.page.goto(w.server.url);
    await w.page.waitForURL(/\/dashboard$/);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('boots a Haswell-EP host from its preset and switches the views to it', async () => {
    const { page } = w;
    await page.getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('button', { name: 'Add a simulated host…' }).click();
    await page.getByLabel('Host name').fill('lab2');
    await page.getByLabel('Hardware preset').selectOption('haswell-ep-2s');
    await page.getByRole('button', { name: 'Boot it' }).click();
    await expect.poll(() => page.locator('[data-host=lab2]').textContent()).toContain('72');
    await page.getByLabel('Current host').selectOption('lab2');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.locator('[data-test=heat-map] figcaption').textContent()).toContain('72 pCPUs');
    expect((await w.server.lab.list()).map((h) => h.id)).toEqual(['lab1', 'lab2']);
  });

  it('saw no console error', () => {
    expect(w.problems).toEqual([]);
  });
});
