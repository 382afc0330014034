import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ConsoleService } from '../../../main/services/consoles';
import { Lab } from '../../../main/services/lab';

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A lab whose console service logs to a temporary folder, web1 booted for 3 s; the folder goes after `body`. */
async function withLoggedWeb1(body: (t: { dir: string; host: EmbeddedHost; svc: ConsoleService; domid: number }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'xd-conlog-'));
  try {
    const lab = Lab.withDefaultHost();
    const host = lab.host('lab1') as EmbeddedHost;
    const svc = new ConsoleService(lab, { logDir: join(dir, 'logs', 'console') });
    await svc.start();
    const r = await host.createDomain({ configText: 'name = "web1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\n' });
    await tick();
    host.advanceClock(SECONDS(3));
    await body({ dir, host, svc, domid: r.domid! });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('console logs as xenconsoled writes them (guest-NAME.log)', () => {
  it("appends each domain's console output to <logDir>/guest-NAME.log, closed with the domain", async () => {
    await withLoggedWeb1(async ({ dir, host, domid }) => {
      await tick();
      await host.destroy(domid);
      await tick(50);
      const log = readFileSync(join(dir, 'logs', 'console', 'guest-web1.log'), 'utf8');
      expect(log).toContain('Linux version 6.1.0-56-cloud-amd64');
      expect(log.trimEnd().endsWith('web1 login:')).toBe(true);
    });
  });

  it('logs a flood whole and in order (one write per burst of ring reads)', async () => {
    await withLoggedWeb1(async ({ dir, host, svc, domid }) => {
      await svc.input('lab1', domid, 'root\rseq 1 50000\r');
      for (let i = 0; i < 20; i++) {
        host.advanceClock(SECONDS(0.05));
        await tick(1);
      }
      await host.destroy(domid);
      await tick(50);
      const log = readFileSync(join(dir, 'logs', 'console', 'guest-web1.log'), 'utf8');
      const nums = log.split('\r\n').filter((l) => /^\d+$/.test(l)).map(Number);
      expect(nums).toEqual(Array.from({ length: 50000 }, (_, i) => i + 1));
      expect(log.trimEnd().endsWith('root@web1:~#')).toBe(true);
    });
  });
});
