// The connector against a real Xen 4.17: host information, the domain list, creating
// a small PV guest from a wizard-style config, its console, pause / unpause, scheduler
// parameters, the domain watch and destroy, and xl's errors coming back typed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainSnapshot, DomainWatch } from '../../engine/remote/domain-watch';
import { XlCommandError } from '../../engine/remote/errors';
import { RemoteXenHost } from '../../engine/remote/remote-host';
import { pvGuestConfig } from './capture';
import { DOMU_READY } from './domu-image';
import { fromEnv } from './env';
import { sshTarget } from './ssh';

const env = fromEnv();
const GUEST = 'xendeck-check';
let host: RemoteXenHost;

/** Reads console output until `want` appears (or the time runs out). */
async function readUntil(chunks: string[], want: RegExp, ms: number): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const text = chunks.join('');
    if (want.test(text)) return text;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`console did not show ${want} within ${ms} ms; got ${JSON.stringify(chunks.join('').slice(-400))}`);
}

beforeAll(async () => {
  host = await RemoteXenHost.connect({ ssh: sshTarget(env) });
});

afterAll(async () => {
  await host?.close();
});

describe('RemoteXenHost against a real Xen 4.17 dom0', () => {
  it('finds the Xen tools on dom0', () => {
    // xen-cpuid is found where Debian keeps it (/usr/lib/xen-4.17/bin), off PATH
    expect(host.capabilities).toEqual({ xl: true, xenstoreRead: true, xenstoreLs: true, xenstoreWatch: true, xenLivepatch: true, xenCpuid: true });
  });

  it('reads physinfo: 2 pCPUs, credit2, Xen 4.17', async () => {
    const info = await host.physinfo({ numa: true });
    expect(info.nrCpus).toBe(2);
    expect(info.xenMajor).toBe(4);
    expect(info.xenMinor).toBe(17);
    expect(info.xenScheduler).toBe('credit2');
    expect(info.cpuTopology).toHaveLength(2);
    expect(info.totalMemoryMiB).toBeGreaterThan(info.freeMemoryMiB);
  });

  it('lists Domain-0 with its uuid and pool', async () => {
    const doms = await host.domainList();
    expect(doms.find((d) => d.domid === 0)).toMatchObject({ name: 'Domain-0', cpupool: 'Pool-0', uuid: '00000000-0000-0000-0000-000000000000' });
    const pools = await host.cpupoolList();
    expect(pools).toEqual([{ name: 'Pool-0', nCpus: 2, sched: 'credit2', active: true, nDom: doms.length, cpus: [0, 1] }]);
  });

  it('creates a PV guest, sees it introduced, reads its console, pauses, unpauses, shuts it down; creates one paused and destroys it', async () => {
    const snapshots: DomainSnapshot[] = [];
    const watch: DomainWatch = await host.watchDomains((s) => snapshots.push(s), { pollMs: 60_000 });
    try {
      expect(watch.watching).toBe(true);
      const created = await host.create(pvGuestConfig(GUEST, 96), { source: `${GUEST}.cfg` });
      expect(created).toMatchObject({ name: GUEST, memMiB: 96, vcpus: 1 });
      expect(created.domid).toBeGreaterThan(0);

      const cfg = await host.domainConfig(GUEST);
      expect(cfg[0]?.config.c_info).toMatchObject({ type: 'pv', name: GUEST });
      expect(cfg[0]?.config.b_info.max_memkb).toBe(96 * 1024);

      // The watch, not the (60 s) poll, reports the new domain. It fires while libxl is
      // still building it, when xl lists it under the name "(null)", so match the domid.
      await readUntilSnapshot(snapshots, (s) => s.changes.some((c) => c.type === 'introduced' && c.domain.domid === created.domid));

      const vcpus = await host.vcpuList(GUEST);
      expect(vcpus).toHaveLength(1);
      expect(vcpus[0]).toMatchObject({ domid: created.domid, vcpu: 0, online: true });
      const sched = await host.domainSchedParams(GUEST);
      expect(sched).toEqual({ sched: 'credit2', params: [{ name: GUEST, domid: created.domid, weight: 256, cap: 0 }] });
      await host.setDomainSchedParams(GUEST, { weight: 384 });
      expect((await host.domainSchedParams(GUEST)).params[0]?.weight).toBe(384);

      const con = await host.console(created.domid, { cols: 100, rows: 30 });
      const chunks: string[] = [];
      const decoder = new TextDecoder();
      con.onData((d) => chunks.push(decoder.decode(d)));
      // the guest prints its ready line, then runs a shell on hvc0
      await readUntil(chunks, new RegExp(`${DOMU_READY}|xendeck-pv# `), 90_000).catch(async () => {
        con.write('\r');
        return readUntil(chunks, /xendeck-pv# /, 30_000);
      });
      con.write('echo $((6*7))x\r');
      await readUntil(chunks, /42x/, 30_000);
      let closedWith = '';
      con.onClose((r) => { closedWith = r; });
      con.close();
      expect(closedWith).toBe('detached');

      await host.pause(GUEST);
      expect((await host.domainInfo(GUEST)).state.paused).toBe(true);
      await host.unpause(GUEST);
      expect((await host.domainInfo(GUEST)).state.paused).toBe(false);

      // an orderly shutdown: the guest kernel acknowledges control/shutdown and powers off
      await host.shutdown(GUEST, { wait: true });
      expect((await host.domainList()).some((d) => d.name === GUEST)).toBe(false);
      await readUntilSnapshot(snapshots, (s) => s.changes.some((c) => c.type === 'released' && c.domain.domid === created.domid));

      // created paused, it never runs; destroy takes it away at once
      const paused = await host.create(pvGuestConfig(`${GUEST}-paused`, 96), { paused: true });
      expect(paused.state.paused).toBe(true);
      expect(paused.cpuTimeS).toBe(0);
      await host.destroy(paused.domid);
      expect((await host.domainList()).map((d) => d.name)).toEqual(['Domain-0']);
    } finally {
      watch.stop();
    }
  });

  it('reports xl failures typed, naming the config rather than a temporary file', async () => {
    const e1 = await host.destroy('nosuch').catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(XlCommandError);
    expect((e1 as XlCommandError).failure.kind).toBe('no-such-domain');
    expect((e1 as XlCommandError).exitCode).toBe(1);
    const e2 = await host.create('name = "broken"\nmemory = = 3\n', { source: 'broken.cfg' }).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(XlCommandError);
    expect((e2 as XlCommandError).failure.kind).toBe('config-syntax');
    expect((e2 as Error).message).toContain('broken.cfg:2: config parsing error');
    const e3 = await host.create(pvGuestConfig('too-small', 32)).catch((e: unknown) => e);
    expect((e3 as XlCommandError).failure.kind).toBe('out-of-memory');
    expect((e3 as Error).message).toMatch(/segment \S+ too large .*Out of memory/);
    expect((await host.domainList()).map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('reads xenstore and the livepatch list', async () => {
    expect(await host.xenstoreRead('/local/domain/0/name')).toBe('Domain-0');
    const nodes = await host.xenstoreLs('/local/domain/0');
    expect(nodes.find((n) => n.path === '/local/domain/0/domid')?.value).toBe('0');
    expect(await host.livepatchList()).toEqual([]);
  });
});

async function readUntilSnapshot(snaps: DomainSnapshot[], ok: (s: DomainSnapshot) => boolean): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    if (snaps.some(ok)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no such domain change among ${snaps.length} snapshots: ${JSON.stringify(snaps.map((s) => s.changes.map((c) => `${c.type} ${c.domain.name}`)))}`);
}
