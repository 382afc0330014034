/**
 * `xl dump-core` from the domain page: the core file lands in the lab's dump folder
 * and reads back (our reader) with the page the test wrote into the guest.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { readXenCore } from '../../engine/toolstack/coredump/xc-core-reader';
import { openConsole } from './browser';

describe('core dump from the GUI (xl dump-core)', () => {
  const c = openConsole();

  it('dumps a running domain into the dump folder; the domain keeps running', async () => {
    const { page } = c.env;
    const host = c.env.server.lab.host('lab1') as EmbeddedHost;
    const { domid } = await host.createDomain({ configText: 'name = "dump1"\nmemory = 32\n' });
    host.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! }).write(77, 0, new TextEncoder().encode('core me'));
    await page.goto(c.env.server.url.replace(/\/\?token=.*$/, `/domains/${domid}`));
    await page.getByLabel('Core file name').fill('dump1-core');
    await page.locator('[data-test=core-dump]').click();
    await expect.poll(() => page.locator('[data-test=core-dump-outcome]').textContent(), { timeout: 20_000 }).toMatch(/Wrote 32\.\d MiB core to .*\/dump\/lab1\/dump1-core: 8192 pages/);
    await page.locator('[data-test=core-dump-card]').screenshot({ path: 'test/e2e/artifacts/core-dump.png' });
    const file = /core to (\S+):/.exec((await page.locator('[data-test=core-dump-outcome]').textContent()) ?? '')![1]!;
    const core = readXenCore(readFileSync(file));
    expect(new TextDecoder().decode(core.page(77)!.subarray(0, 7))).toBe('core me');
    expect((await host.domain('dump1')).state).not.toContain('s');
  });
});
