import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ConsoleLogFile } from '../../../main/services/console-log';
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

  it('writes the ring\'s bytes as they are: a character split between reads, bytes that are not UTF-8', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xd-conlog-'));
    try {
      const log = new ConsoleLogFile(dir);
      log.write(Uint8Array.of(0x61, 0xc3)); // before the name is known: waits
      log.open('web2');
      log.write(Uint8Array.of(0xa9, 0xff, 0x0d, 0x0a));
      log.write(new Uint8Array(0));
      log.write(Uint8Array.of(0x62));
      await log.end();
      expect([...readFileSync(join(dir, 'guest-web2.log'))]).toEqual([0x61, 0xc3, 0xa9, 0xff, 0x0d, 0x0a, 0x62]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
