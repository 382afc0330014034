import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, fixtureExit, newLab, writeGuestConfig, xl } from './xl-harness';

async function labWithGuest(extra = ''): Promise<string> {
  const lab = newLab();
  expect((await xl(lab, 'create', writeGuestConfig(lab, 'xendeck-pv', extra))).code).toBe(0);
  return lab;
}

async function until(ok: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await ok()); i++) await new Promise((r) => setTimeout(r, 10));
}

const stateOf = async (lab: string, dom: string): Promise<string> => {
  const row = (await xl(lab, 'list', dom)).stdout.split('\n')[1]!;
  return row.slice(63, 69);
};

describe('xl destroy / pause / unpause / shutdown / reboot, held against a real Xen 4.17', () => {
  it('destroy of an unused domid: libxl\'s three lines and "destroy failed (rc=-21)", exit 1', async () => {
    const r = await xl(newLab(), 'destroy', '99');
    expect(r.stderr).toBe(fixture('xl-destroy-domid-99.err'));
    expect(r.stdout).toBe(fixture('xl-destroy-domid-99.out'));
    expect(r.code).toBe(fixtureExit('xl-destroy-domid-99'));
  });

  it('destroy / pause of an unknown name: rc=-6, exit 1', async () => {
    const lab = newLab();
    for (const cmd of ['destroy', 'pause'] as const) {
      const r = await xl(lab, cmd, 'nosuch');
      expect(r.stderr).toBe(fixture(`xl-${cmd}-nosuch.err`));
      expect(r.stdout).toBe('');
      expect(r.code).toBe(fixtureExit(`xl-${cmd}-nosuch`));
    }
  });

  it('destroy removes the domain (then list shows Domain-0 only, as xl-create-then-destroy)', async () => {
    const lab = await labWithGuest();
    const r = await xl(lab, 'destroy', 'xendeck-pv');
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    const real = fixture('xl-create-then-destroy.out').split('\n');
    const ours = (await xl(lab, 'list')).stdout.split('\n');
    expect(ours.length).toBe(real.length);
    expect(ours[0]).toBe(real[0]);
  });

  it('destroy 0 is refused without -f', async () => {
    const r = await xl(newLab(), 'destroy', '0');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('Not destroying domain 0; use -f to force.\nThis can only be done when using a disaggregated hardware domain and toolstack.\n\n');
  });

  it('pauses nest, as the captures show: two pauses need two unpauses', async () => {
    const lab = await labWithGuest();
    expect(await xl(lab, 'pause', 'xendeck-pv')).toEqual({ code: 0, stdout: fixture('xl-pause-again.out'), stderr: '' });
    expect((await stateOf(lab, 'xendeck-pv'))[2]).toBe('p');
    await xl(lab, 'pause', 'xendeck-pv');
    await xl(lab, 'unpause', 'xendeck-pv');
    // xl-unpause.out: still paused after one unpause
    expect(fixture('xl-unpause.out')).toContain('--p---');
    expect((await stateOf(lab, 'xendeck-pv'))[2]).toBe('p');
    await xl(lab, 'unpause', 'xendeck-pv');
    expect((await stateOf(lab, 'xendeck-pv'))[2]).toBe('-');
  });

  it('unpausing a running domain: libxl\'s log line, and xl still exits 0', async () => {
    const lab = await labWithGuest();
    const r = await xl(lab, 'unpause', 'xendeck-pv');
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'libxl: error: libxl_domain.c:688:domain_unpause_done: Domain 1:Unpausing domain: Invalid argument\n' });
  });

  it('shutdown -w: the real messages on stderr, nothing on stdout; the guest is gone', async () => {
    const lab = await labWithGuest();
    const r = await xl(lab, 'shutdown', '-w', 'xendeck-pv');
    expect(r.stderr).toBe(fixture('xl-shutdown-wait.err').replaceAll('domain 2', 'domain 1').replaceAll('Domain 2', 'Domain 1'));
    expect(r.stdout).toBe(fixture('xl-shutdown-wait.out'));
    expect(r.code).toBe(fixtureExit('xl-shutdown-wait'));
    expect((await xl(lab, 'list')).stdout.split('\n').length).toBe(fixture('xl-list-after-shutdown.out').split('\n').length);
  });

  it('reboot restarts the domain from its config (on_reboot="restart") under a new domid', async () => {
    const lab = await labWithGuest();
    const r = await xl(lab, 'reboot', 'xendeck-pv');
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'Rebooting domain 1\n' });
    expect((await xl(lab, 'domid', 'xendeck-pv')).stdout).toBe('2\n');
  });

  it('on_poweroff="preserve" keeps the domain shut down; -ww then waits for its destruction', async () => {
    const lab = await labWithGuest('on_poweroff = "preserve"\n');
    const waiting = xl(lab, 'shutdown', '-ww', 'xendeck-pv');
    await until(async () => (await stateOf(lab, 'xendeck-pv'))[3] === 's');
    // the waiter holds no lock: another run can destroy the domain
    expect((await xl(lab, 'destroy', 'xendeck-pv')).code).toBe(0);
    expect(await waiting).toEqual({
      code: 0,
      stdout: '',
      stderr: 'Shutting down domain 1\nWaiting for 1 domains\nDomain 1 has been shut down, reason code 0\nDomain 1 continue waiting for death\nDomain 1 has been destroyed\n',
    });
  });

  it('shutdown -a stops every guest but Domain-0; shutdown with nothing to act on is a usage error', async () => {
    const lab = await labWithGuest();
    await xl(lab, 'create', writeGuestConfig(lab, 'second'));
    const r = await xl(lab, 'shutdown', '-a', '-w');
    expect(r.stderr).toBe('Shutting down domain 1\nShutting down domain 2\nWaiting for 2 domains\nDomain 1 has been shut down, reason code 0\nDomain 2 has been shut down, reason code 0\n');
    expect((await xl(lab, 'list')).stdout.split('\n').length).toBe(3);
    expect(await xl(lab, 'shutdown')).toEqual({ code: 1, stdout: '', stderr: 'You must specify -a or a domain id.\n\n' });
  });

  it('shutdown of an unused domid: libxl cannot find its type, "shutdown failed (rc=-3)", exit 1', async () => {
    const r = await xl(newLab(), 'shutdown', '7');
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Shutting down domain 7\nlibxl: error: libxl_dom.c:37:libxl__domain_type: unable to get domain type for domid=7\nshutdown failed (rc=-3)\n',
    });
  });

  it('create -F stays with the domain until another run destroys it', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    const running = xl(lab, 'create', '-F', cfg);
    await until(async () => (await xl(lab, 'domid', 'xendeck-pv')).code === 0);
    expect((await xl(lab, 'destroy', 'xendeck-pv')).code).toBe(0);
    expect(await running).toEqual({
      code: 0,
      stdout: '',
      stderr: `Parsing config from ${cfg}\nWaiting for domain xendeck-pv (domid 1) to die [pid ${process.pid}]\nDomain 1 has been destroyed.\n`,
    });
  });

  it('create -F follows a reboot to the restarted domain, and reports a shutdown\'s action', async () => {
    const lab = newLab();
    const cfg = writeGuestConfig(lab);
    const running = xl(lab, 'create', '-F', cfg);
    await until(async () => (await xl(lab, 'domid', 'xendeck-pv')).code === 0);
    expect((await xl(lab, 'reboot', 'xendeck-pv')).code).toBe(0);
    expect((await xl(lab, 'domid', 'xendeck-pv')).stdout).toBe('2\n');
    expect((await xl(lab, 'shutdown', 'xendeck-pv')).code).toBe(0);
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').slice(1)).toEqual([
      `Waiting for domain xendeck-pv (domid 1) to die [pid ${process.pid}]`,
      'Domain 1 has shut down, reason code 1 0x1',
      'Action for shutdown reason code 1 is restart',
      'Domain 1 needs to be cleaned up: destroying the domain',
      'Done. Rebooting now',
      `Waiting for domain xendeck-pv (domid 2) to die [pid ${process.pid}]`,
      'Domain 2 has shut down, reason code 0 0x0',
      'Action for shutdown reason code 0 is destroy',
      'Domain 2 needs to be cleaned up: destroying the domain',
      'Done. Exiting now',
      '',
    ]);
  });
});

describe('on_poweroff="rename-restart" in a lab', () => {
  it('keeps the old domain as NAME-<lab time>, the same on every replay of the journal', async () => {
    const lab = newLab();
    writeFileSync(join(lab, 'lab.json'), JSON.stringify({ format: 1, preset: 'small-lab', seed: 1, hostname: 'h', createdMs: Date.UTC(2026, 0, 2, 3, 4, 5) }));
    expect((await xl(lab, 'create', writeGuestConfig(lab, 'g1', 'on_poweroff = "rename-restart"\n'))).code).toBe(0);
    expect((await xl(lab, 'shutdown', 'g1')).code).toBe(0);
    const first = (await xl(lab, 'list')).stdout;
    expect(first).toMatch(/^g1-20260102T0304Z\s+1\s/m);
    expect(first).toMatch(/^g1\s+2\s/m);
    expect((await xl(lab, 'list')).stdout).toBe(first);
  });
});
