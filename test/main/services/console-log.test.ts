import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ConsoleService } from '../../../main/services/consoles';
import { Lab } from '../../../main/services/lab';

const tick = (ms = 20): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('console logs as xenconsoled writes them (guest-NAME.log)', () => {
  it("appends each domain's console output to <logDir>/guest-NAME.log, closed with the domain", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xd-conlog-'));
    try {
      const lab = Lab.withDefaultHost();
      const host = lab.host('lab1') as EmbeddedHost;
      const svc = new ConsoleService(lab, { logDir: join(dir, 'logs', 'console') });
      await svc.start();
      const r = await host.createDomain({ configText: 'name = "web1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\n' });
      await tick();
      host.advanceClock(SECONDS(3));
      await tick();
      await host.destroy(r.domid!);
      await tick(50);
      const log = readFileSync(join(dir, 'logs', 'console', 'guest-web1.log'), 'utf8');
      expect(log).toContain('Linux version 6.1.0-56-cloud-amd64');
      expect(log.trimEnd().endsWith('web1 login:')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
