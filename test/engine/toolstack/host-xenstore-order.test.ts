import { describe, expect, it } from 'vitest';
import { HostXenstore, LAYOUT_WINDOW } from '../../../engine/toolstack/host-xenstore';
import type { DomainBuildInfoJson } from '../../../engine/toolstack/types';
import { XenstoreDaemon } from '../../../engine/xenstore/daemon';
import { XsClient } from '../../../engine/xenstore/client';
import { deviceLayout } from '../../../engine/xenstore/layout';

/** What the toolstack's connection sent, in the order it sent it. */
type Sent = { kind: 'write' | 'rm'; path: string } | { kind: 'introduce' | 'release'; domid: number } | { kind: 'commit'; domids: number[] };

/** A HostXenstore on an in-process daemon whose dom0 connection logs its requests. */
function spied(): { host: HostXenstore; daemon: XenstoreDaemon; sent: Sent[] } {
  const daemon = new XenstoreDaemon();
  const sent: Sent[] = [];
  const host = new HostXenstore({
    connector: async () => {
      const xs = XsClient.xenbus(daemon, 0);
      const inTx = new Map<number, Set<number>>();
      const note = (path: string, tx: number): void => {
        const m = /^\/local\/domain\/(\d+)\//.exec(path);
        // dom0 backend directories (/local/domain/0/backend/...) are not a domain of their own here
        if (m && m[1] !== '0' && tx !== 0) (inTx.get(tx) ?? inTx.set(tx, new Set()).get(tx)!).add(Number(m[1]));
      };
      const write = xs.write.bind(xs);
      xs.write = (path, value, tx = 0) => (sent.push({ kind: 'write', path }), note(path, tx), write(path, value, tx));
      const rm = xs.rm.bind(xs);
      xs.rm = (path, tx = 0) => (sent.push({ kind: 'rm', path }), rm(path, tx));
      const introduce = xs.introduce.bind(xs);
      xs.introduce = (domid, mfn, evtchn) => (sent.push({ kind: 'introduce', domid }), introduce(domid, mfn, evtchn));
      const release = xs.release.bind(xs);
      xs.release = (domid) => (sent.push({ kind: 'release', domid }), release(domid));
      const end = xs.transactionEnd.bind(xs);
      xs.transactionEnd = async (tx, commit = true) => {
        await end(tx, commit);
        if (commit) sent.push({ kind: 'commit', domids: [...(inTx.get(tx) ?? [])].sort((a, b) => a - b) });
      };
      return xs;
    },
  });
  return { host, daemon, sent };
}

/** The few build-info fields HostXenstore.domainCreated reads (a PVH guest, 64 MiB, 1 vCPU). */
const BUILD = { c_info: { type: 'pvh' }, b_info: { max_memkb: 65536, target_memkb: 65536, avail_vcpus: [0], max_vcpus: 1 } } as unknown as DomainBuildInfoJson;

function create(host: HostXenstore, domid: number, name = `vm${domid}`): void {
  host.domainCreated({ domid, uuid: `00000000-0000-4000-8000-${String(domid).padStart(12, '0')}`, name, startNs: 0 }, BUILD, { disks: [], nics: [] });
}

const at = (sent: Sent[], match: (s: Sent) => boolean): number[] => sent.flatMap((s, i) => (match(s) ? [i] : []));
const writesOf = (domid: number) => (s: Sent) => s.kind === 'write' && s.path.startsWith(`/local/domain/${domid}/`);
const introduced = (domid: number) => (s: Sent) => s.kind === 'introduce' && s.domid === domid;

describe("the toolstack's xenstore queue under a window of domains", () => {
  it("writes many domains' layouts together, each domain's operations in the order they were made", async () => {
    const { host, sent } = spied();
    for (let d = 1; d <= 40; d++) create(host, d);
    host.deviceAdded(7, deviceLayout(7, { nic: { devid: 0, mac: '00:16:3e:00:00:07', bridge: 'xenbr0' } }));
    host.domainDestroyed(9);
    create(host, 9, 'vm9-again');
    await host.settled();

    const commits = sent.filter((s): s is Extract<Sent, { kind: 'commit' }> => s.kind === 'commit');
    // the creates went out in groups of several domains, none larger than the window
    expect(Math.max(...commits.map((c) => c.domids.length))).toBeGreaterThan(1);
    expect(Math.max(...commits.map((c) => c.domids.length))).toBeLessThanOrEqual(LAYOUT_WINDOW);
    // every domain written, and introduced after its layout committed
    for (let d = 1; d <= 40; d++) {
      const committed = commits.findIndex((c) => c.domids.includes(d));
      expect(committed).toBeGreaterThanOrEqual(0);
      expect(sent.indexOf(commits[committed]!)).toBeLessThan(at(sent, introduced(d))[0]!);
    }
    // domain 7: its layout, its INTRODUCE, then the hot-plugged vif
    const vif7 = at(sent, (s) => s.kind === 'write' && s.path.startsWith('/local/domain/7/device/vif/0'));
    expect(vif7.length).toBeGreaterThan(0);
    expect(at(sent, introduced(7))[0]).toBeLessThan(vif7[0]!);
    // domain 9: created, introduced, removed, released, created again
    const rm9 = at(sent, (s) => s.kind === 'rm' && s.path === '/local/domain/9');
    const intro9 = at(sent, introduced(9));
    const writes9 = at(sent, writesOf(9));
    expect(intro9).toHaveLength(2);
    expect(intro9[0]).toBeLessThan(rm9[rm9.length - 1]!);
    expect(at(sent, (s) => s.kind === 'release' && s.domid === 9)[0]).toBeLessThan(writes9.find((i) => i > rm9[rm9.length - 1]!)!);
    expect((await host.readLive(['/local/domain/9/name', '/local/domain/7/device/vif/0/mac']))).toEqual(['vm9-again', '00:16:3e:00:00:07']);
    await host.close();
  });

  it('holds an operation without a domain until everything queued before it is done, and what follows until it is', async () => {
    const { host, sent } = spied();
    for (let d = 1; d <= 20; d++) create(host, d);
    host.write({ '/local/domain/0/barrier': '1' });
    for (let d = 21; d <= 25; d++) create(host, d);
    const read = host.readLive(['/local/domain/25/name']);
    await host.settled();

    const barrier = at(sent, (s) => s.kind === 'write' && s.path === '/local/domain/0/barrier')[0]!;
    for (let d = 1; d <= 20; d++) expect(at(sent, introduced(d))[0]).toBeLessThan(barrier);
    for (let d = 21; d <= 25; d++) expect(at(sent, writesOf(d))[0]).toBeGreaterThan(barrier);
    // a read queued after the creates sees them (and settled() waited for it too)
    expect(await read).toEqual(['vm25']);
    await host.close();
  });
});
