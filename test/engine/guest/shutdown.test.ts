import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolstackEvent } from '../../../engine/toolstack/types';
import { readXenCore } from '../../../engine/toolstack/coredump/xc-core-reader';
import { PV, rig } from './guest-harness';

/** A guest small enough that reading its core file back is cheap. */
const SMALL_PV = PV.replace('memory = 512', 'memory = 64');

describe('guest shutdown, reboot and crash reach Xen and the on_* actions', () => {
  it('poweroff with on_poweroff="destroy" removes the domain', async () => {
    const g = await rig(`${PV}on_poweroff = "destroy"\n`);
    await g.login();
    let closed = '';
    g.console.onClose((r) => (closed = r));
    g.type('poweroff\r');
    expect(g.take()).toContain('The system is going down NOW!\r\nSent SIGTERM to all processes\r\nSent SIGKILL to all processes\r\nRequesting system poweroff\r\n');
    expect((await g.host.listDomains()).map((d) => d.name)).toContain('web1');
    g.run(1);
    expect(g.take()).toMatch(/\[\s+\d+\.\d{6}\] reboot: System halted\r\n$/);
    expect((await g.host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
    expect(closed).toBe('domain destroyed');
  });

  it('poweroff with on_poweroff="preserve" leaves it shut down with reason poweroff', async () => {
    const g = await rig(`${PV}on_poweroff = "preserve"\n`);
    await g.login();
    g.type('halt\r');
    g.run(1);
    const d = await g.host.domain('web1');
    expect(d.state.slice(2)).toBe('-s--');
    expect(d.shutdownReason).toBe('poweroff');
  });

  it('reboot with on_reboot="restart" makes a new domain that boots again', async () => {
    const g = await rig(`${PV}on_reboot = "restart"\n`);
    await g.login();
    const events: ToolstackEvent[] = [];
    g.host.subscribe((e) => events.push(e));
    g.type('reboot\r');
    g.run(1);
    expect(g.take()).toContain('reboot: Restarting system');
    const doms = await g.host.listDomains();
    expect(doms.map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [2, 'web1']]);
    expect(events.filter((e) => e.kind !== 'host.log').map((e) => e.kind)).toEqual(['domain.changed', 'domain.destroyed', 'domain.created']);
    expect(events.filter((e) => e.kind === 'host.log').map((e) => (e.kind === 'host.log' ? e.message : ''))).toEqual([
      'Domain 1 (web1) has shut down, reason code 1 0x1 (reboot)',
      'Action for shutdown reason code 1 is restart',
      'Domain 1 needs to be cleaned up: destroying the domain',
    ]);
    expect((events.find((e) => e.kind === 'domain.changed') as { domain: { shutdownReason: string } }).domain.shutdownReason).toBe('reboot');
    const c2 = await g.host.console(2);
    let t = '';
    c2.onData((d) => (t += new TextDecoder().decode(d)));
    g.run(5);
    expect(t.endsWith('web1 login: ')).toBe(true);
  });

  it('echo c > /proc/sysrq-trigger crashes it; on_crash="restart" restarts it', async () => {
    const g = await rig(`${PV}on_crash = "restart"\n`);
    await g.login();
    const events: ToolstackEvent[] = [];
    g.host.subscribe((e) => events.push(e));
    g.type('echo c > /proc/sysrq-trigger\r');
    const t = g.take();
    expect(t).toContain('sysrq: Trigger a crash');
    expect(t).toContain('Kernel panic - not syncing: sysrq triggered crash');
    const changed = events.find((e) => e.kind === 'domain.changed');
    expect(changed && 'domain' in changed ? changed.domain.state.slice(2) : '').toBe('--c-');
    // VIRQ_DOM_EXC in the host's event log, a crash as a warning
    expect(events.filter((e) => e.kind === 'host.log').map((e) => (e.kind === 'host.log' ? [e.level, e.message] : []))).toEqual([
      ['warning', 'Domain 1 (web1) has shut down, reason code 3 0x3 (crash)'],
      ['info', 'Action for shutdown reason code 3 is restart'],
      ['info', 'Domain 1 needs to be cleaned up: destroying the domain'],
    ]);
    expect((await g.host.listDomains()).map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [2, 'web1']]);
  });

  it('on_crash="coredump-restart" dumps the core to the dump folder under the domain\'s name, then restarts', async () => {
    const dumpDir = join(mkdtempSync(join(tmpdir(), 'xendeck-dump-')), 'dump');
    const g = await rig(`${SMALL_PV}on_crash = "coredump-restart"\n`, { host: { dumpDir } });
    await g.login();
    const events: ToolstackEvent[] = [];
    g.host.subscribe((e) => events.push(e));
    g.type('echo c > /proc/sysrq-trigger\r');
    expect((await g.host.listDomains()).map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [2, 'web1']]);
    expect(events.filter((e) => e.kind === 'host.log').map((e) => (e.kind === 'host.log' ? e.message : ''))).toEqual([
      'Domain 1 (web1) has shut down, reason code 3 0x3 (crash)',
      'Action for shutdown reason code 3 is coredump-restart',
      `dumping core to ${join(dumpDir, 'web1')}`,
      'Domain 1 needs to be cleaned up: destroying the domain',
    ]);
    // the crashed guest's memory: its kernel image was written into it at boot
    const core = readXenCore(readFileSync(join(dumpDir, 'web1')));
    expect(core.header.nrPages).toBe(64 * 256);
    expect(core.header.nrVcpus).toBe(2);
    expect(core.pfns.some((pfn) => core.page(pfn)!.some((b) => b !== 0))).toBe(true);
  });

  it('on_crash="coredump-destroy" dumps the core, then destroys the domain', async () => {
    const dumpDir = mkdtempSync(join(tmpdir(), 'xendeck-dump-'));
    const g = await rig(`${SMALL_PV}on_crash = "coredump-destroy"\n`, { host: { dumpDir } });
    await g.login();
    g.type('echo c > /proc/sysrq-trigger\r');
    expect((await g.host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
    expect(readXenCore(readFileSync(join(dumpDir, 'web1'))).hvm).toBe(false);
  });

  it('a coredump action on a host without a dump folder says the dump failed and carries on, as xl does', async () => {
    const g = await rig(`${PV}on_crash = "coredump-destroy"\n`);
    await g.login();
    const warnings: string[] = [];
    g.host.subscribe((e) => e.kind === 'host.log' && e.level === 'warning' && warnings.push(e.message));
    g.type('echo c > /proc/sysrq-trigger\r');
    expect(warnings).toContain('core dump failed (rc=-3): host lab1 has no dump folder (it is not kept in a lab folder)');
    expect((await g.host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('on_crash="rename-restart" keeps the crashed domain under a dated name and a new uuid, and starts a new one', async () => {
    // 2026-11-25 23:41:07 UTC: libxl's suffix has minutes, "-%Y%m%dT%H%MZ"
    const g = await rig(`${PV}on_crash = "rename-restart"\n`, { host: { wallClockMs: () => Date.UTC(2026, 10, 25, 23, 41, 7) } });
    await g.login();
    const uuid1 = (await g.host.domain('web1')).uuid;
    const logs: string[] = [];
    g.host.subscribe((e) => e.kind === 'host.log' && logs.push(e.message));
    g.type('echo c > /proc/sysrq-trigger\r');
    const doms = await g.host.listDomains();
    expect(doms.map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [1, 'web1-20261125T2341Z'], [2, 'web1']]);
    expect(doms[1]!.state.slice(2)).toBe('--c-');
    expect(logs).toContain('Preserving domain 1 web1 with suffix-20261125T2341Z');
    expect(logs.some((l) => l.includes('destroying the domain'))).toBe(false);
    await g.host.xenstore.settled();
    const vm = g.host.xenstore.read('/local/domain/1/vm')!;
    expect(vm).toMatch(/^\/vm\/[0-9a-f-]{36}$/);
    expect(vm).not.toBe(`/vm/${uuid1}`);
    expect(g.host.xenstore.read(`${vm}/uuid`)).toBe(vm.slice(4));
    expect(g.host.xenstore.read('/local/domain/1/name')).toBe('web1-20261125T2341Z');
    expect(g.host.configOf(1)?.buildInfo.c_info.name).toBe('web1-20261125T2341Z');
    // the preserved domain goes only when destroyed
    await g.host.destroy('web1-20261125T2341Z');
    expect((await g.host.listDomains()).map((d) => d.name)).toEqual(['Domain-0', 'web1']);
  });

  it('a crash with on_crash="preserve" leaves the domain crashed', async () => {
    const g = await rig(`${PV}on_crash = "preserve"\n`);
    await g.login();
    g.type('echo c > /proc/sysrq-trigger\r');
    const d = await g.host.domain('web1');
    expect(d.state.slice(2)).toBe('--c-');
    expect(d.shutdownReason).toBe('crash');
  });

  it('xl shutdown asks the guest, which stops at once; on_poweroff runs', async () => {
    const g = await rig(PV);
    await g.login();
    await g.host.shutdown('web1');
    expect(g.take()).toContain('xenbus: shutdown requested: poweroff');
    expect((await g.host.listDomains()).map((d) => d.name)).toEqual(['Domain-0']);
  });
});
