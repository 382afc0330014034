import { describe, expect, it } from 'vitest';
import type { ToolstackEvent } from '../../../engine/toolstack/types';
import { PV, rig } from './guest-harness';

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
    ]);
    expect((await g.host.listDomains()).map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [2, 'web1']]);
  });

  it('on_crash="coredump-restart" restarts and says that no core file was written', async () => {
    const g = await rig(`${PV}on_crash = "coredump-restart"\n`);
    await g.login();
    const events: ToolstackEvent[] = [];
    g.host.subscribe((e) => events.push(e));
    g.type('echo c > /proc/sysrq-trigger\r');
    expect((await g.host.listDomains()).map((d) => [d.domid, d.name])).toEqual([[0, 'Domain-0'], [2, 'web1']]);
    const warnings = events.filter((e) => e.kind === 'host.log' && e.level === 'warning').map((e) => (e.kind === 'host.log' ? e.message : ''));
    expect(warnings).toContain('coredump-restart: no core file written (xc_domain_dumpcore is not implemented in XenDeck yet); the domain is destroyed and restarted');
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
