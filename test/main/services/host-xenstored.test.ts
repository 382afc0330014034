import { mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XsClient } from '../../../engine/xenstore/client';
import type { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { Lab } from '../../../main/services/lab';
import { LabStore } from '../../../main/services/lab-store';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openLab(): { lab: Lab; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'xd-xsd-'));
  // the guests' disk images, in the lab folder (dom0's filesystem: engine/toolstack/block-devices.ts)
  mkdirSync(join(dir, 'var/lib/xen/images'), { recursive: true });
  for (const n of ['d1', 'k1', 'k2']) {
    writeFileSync(join(dir, `var/lib/xen/images/${n}.img`), '');
    truncateSync(join(dir, `var/lib/xen/images/${n}.img`), 1024 ** 3);
  }
  const lab = Lab.open(new LabStore(dir), { xenstoredProcesses: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => lab.close());
  return { lab, dir };
}

async function waitFor<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A node's value, read through the host's xenstore browser path. */
async function nodeValue(host: EmbeddedHost, path: string): Promise<string | undefined> {
  const parent = path.slice(0, path.lastIndexOf('/'));
  return (await host.xenstoreList(parent)).children.find((c) => c.path === path)?.value;
}

/** The domain's vbd and vif states on both ends, once all are Connected (4) (driving the clock). */
function allConnected(host: EmbeddedHost, domid: number): () => Promise<string[]> {
  return async () => {
    host.xen.clock.runFor(200_000_000);
    await new Promise((r) => setTimeout(r, 20));
    const s = await Promise.all([
      nodeValue(host, `/local/domain/${domid}/device/vbd/51712/state`),
      nodeValue(host, `/local/domain/0/backend/vbd/${domid}/51712/state`),
      nodeValue(host, `/local/domain/${domid}/device/vif/0/state`),
      nodeValue(host, `/local/domain/0/backend/vif/${domid}/0/state`),
    ]);
    if (s.some((x) => x !== '4')) throw new Error(`not connected yet: ${s.join(',')}`);
    return s as string[];
  };
}

describe("an embedded host's xenstored process", () => {
  it('serves the host on its own socket (0600 in a 0700 folder), its state in the lab, as Xen tools reach it', async () => {
    const { lab, dir } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const xsd = lab.xenstored('lab1')!;
    expect(host.xenstore.socketPath).toBe(xsd.socketPath);
    const domid = (await host.createDomain({ configText: 'name = "web1"\nmemory = 128\n' })).domid!;
    expect((await host.xenstoreList(`/local/domain/${domid}/name`)).node.value).toBe('web1');
    expect(statSync(xsd.socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(xsd.socketPath, '..')).mode & 0o777).toBe(0o700);
    expect(xsd.stateDir).toBe(join(dir, 'xenstore', 'lab1'));
    expect(statSync(xsd.stateDir).isDirectory()).toBe(true);
    // What xenstore-ls does with XENSTORED_PATH: a dom0 connection to the socket.
    const xs = await XsClient.connect(xsd.socketPath);
    cleanups.push(() => xs.close());
    expect(await xs.read(`/local/domain/${domid}/name`)).toBe('web1');
    expect(await xs.read('/local/domain/0/name')).toBe('Domain-0');
    expect(await xs.isIntroduced(domid)).toBe(true);
    // the toolstack's later writes reach the daemon in order (xl rename)
    await host.renameDomain('web1', 'web2');
    await host.xenstore.settled();
    expect(await xs.read(`/local/domain/${domid}/name`)).toBe('web2');
    const pid = await xsd.daemonPid();
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);
  });

  it('comes back from its state directory after kill -9, and the toolstack reconnects', async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const xsd = lab.xenstored('lab1')!;
    const domid = (await host.createDomain({ configText: 'name = "db1"\nmemory = 128\n' })).domid!;
    await host.xenstore.settled();
    const pid = (await xsd.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    // The browser's request right after the kill is answered by the restarted daemon.
    const after = await host.xenstoreList(`/local/domain/${domid}`);
    expect(after.children.find((c) => c.path.endsWith('/name'))?.value).toBe('db1');
    expect(await xsd.daemonPid()).not.toBe(pid);
    // The toolstack keeps writing through the new daemon.
    const second = await host.createDomain({ configText: 'name = "db2"\nmemory = 128\n' });
    expect((await host.xenstoreList(`/local/domain/${second.domid}/name`)).node.value).toBe('db2');
    await host.destroy('db1');
    await expect(host.xenstoreList(`/local/domain/${domid}`)).rejects.toMatchObject({ code: 'ENOENT' });
    const xs = await waitFor(() => XsClient.connect(xsd.socketPath));
    cleanups.push(() => xs.close());
    expect(await xs.isIntroduced(domid)).toBe(false);
    expect(await xs.isIntroduced(second.domid!)).toBe(true);
  });

  it('writes every layout of a burst of creates when the daemon is killed with groups of them queued or in flight', async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const xsd = lab.xenstored('lab1')!;
    const domids: number[] = [];
    for (let i = 0; i < 40; i++) domids.push((await host.createDomain({ configText: `name = "burst${i}"\nmemory = 32\ntype = "pvh"\n` })).domid!);
    process.kill((await xsd.daemonPid())!, 'SIGKILL');
    // every group is sent again whole on the new connection (each layout is idempotent)
    await host.xenstore.settled();
    const xs = await waitFor(() => XsClient.connect(xsd.socketPath));
    cleanups.push(() => xs.close());
    for (const [i, domid] of domids.entries()) {
      expect(await xs.read(`/local/domain/${domid}/name`)).toBe(`burst${i}`);
      expect(await xs.isIntroduced(domid)).toBe(true);
    }
  });

  it("gives each guest a xenbus connection over the socket acting as its domain", async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const domid = (await host.createDomain({ configText: 'name = "g1"\nmemory = 128\n' })).domid!;
    await host.xenstore.settled();
    const guest = host.xenstore.xenbus(domid);
    cleanups.push(() => guest.close());
    expect(await guest.read('name')).toBe('g1');
    await guest.write('data/ip', '10.0.0.7');
    await expect(guest.write('name', 'evil')).rejects.toMatchObject({ code: 'EACCES' });
    await expect(guest.read('/local/domain/0/name')).rejects.toMatchObject({ code: 'EACCES' });
    expect(await guest.getPerms('data/ip')).toEqual([`n${domid}`]);
    expect((await host.xenstoreList(`/local/domain/${domid}/data/ip`)).node.value).toBe('10.0.0.7');
    // a dom0 connection whose first INTRODUCE names another page stays dom0
    const dom0 = await XsClient.connect(lab.xenstored('lab1')!.socketPath);
    cleanups.push(() => dom0.close());
    await dom0.introduce(domid, 1n, 1);
    expect(await dom0.read('/local/domain/0/name')).toBe('Domain-0');
  });

  it("brings a guest's vbd and vif to Connected with dom0's backends on the process, as in the GUI", async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    await host.backendsReady;
    const cfg = 'name = "d1"\nmemory = 128\ndisk = [ "/var/lib/xen/images/d1.img,raw,xvda,rw" ]\nvif = [ "bridge=xenbr0" ]\n';
    const domid = (await host.createDomain({ configText: cfg })).domid!;
    expect(await waitFor(allConnected(host, domid))).toEqual(['4', '4', '4', '4']);
  });

  it("dom0's backends register their watches again after kill -9: a domain created afterwards gets its vbd and vif Connected", async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const xsd = lab.xenstored('lab1')!;
    await host.backendsReady;
    const pid = (await xsd.daemonPid())!;
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => {
      if ((await xsd.daemonPid()) === pid) throw new Error('not restarted yet');
    });
    const cfg = 'name = "k1"\nmemory = 128\ndisk = [ "/var/lib/xen/images/k1.img,raw,xvda,rw" ]\nvif = [ "bridge=xenbr0" ]\n';
    const domid = (await host.createDomain({ configText: cfg })).domid!;
    const value = (path: string): Promise<string | undefined> => nodeValue(host, path);
    expect(await waitFor(allConnected(host, domid))).toEqual(['4', '4', '4', '4']);
    // blkback's probe ran on the new daemon (the hotplug script's node is there)
    expect(await value(`/local/domain/0/backend/vbd/${domid}/51712/physical-device`)).toBe('fe:0');
    // and once more: a second kill while the domain runs, then another domain
    const pid2 = (await xsd.daemonPid())!;
    process.kill(pid2, 'SIGKILL');
    await waitFor(async () => {
      if ((await xsd.daemonPid()) === pid2) throw new Error('not restarted yet');
    });
    const d2 = (await host.createDomain({ configText: cfg.replace(/k1/g, 'k2') })).domid!;
    expect(
      await waitFor(async () => {
        host.xen.clock.runFor(200_000_000);
        await new Promise((r) => setTimeout(r, 20));
        const s = await value(`/local/domain/0/backend/vbd/${d2}/51712/state`);
        if (s !== '4') throw new Error(`vbd of k2 is ${s}`);
        return s;
      }),
    ).toBe('4');
  });

  it("a guest's xenstore-read works again after its xenstored was killed (its xenbus reconnects)", async () => {
    const { lab } = openLab();
    const host = lab.host('lab1') as EmbeddedHost;
    const xsd = lab.xenstored('lab1')!;
    const domid = (await host.createDomain({ configText: 'name = "g2"\nmemory = 128\n' })).domid!;
    await host.xenstore.settled();
    const con = await host.console(domid);
    let screen = '';
    con.onData((d) => (screen += new TextDecoder().decode(d)));
    const shell = async (line: string, expectText: string): Promise<void> => {
      const from = screen.length;
      con.write(`${line}\r`);
      await waitFor(async () => {
        host.xen.clock.runFor(50_000_000);
        if (!screen.slice(from).includes(expectText)) throw new Error(`no ${expectText} yet in ${JSON.stringify(screen.slice(from))}`);
        return true;
      });
    };
    await waitFor(async () => {
      host.xen.clock.runFor(500_000_000);
      if (!screen.includes('g2 login: ')) throw new Error('not at the login prompt yet');
      return true;
    });
    await shell('root', '# ');
    await shell('xenstore-read name', 'g2\r\n');
    process.kill((await xsd.daemonPid())!, 'SIGKILL');
    // the restarted daemon serves dom0 again before the guest asks
    expect((await host.xenstoreList(`/local/domain/${domid}/name`)).node.value).toBe('g2');
    await shell('xenstore-read name', 'g2\r\n');
  });

  it('stops with the host: the socket goes away', async () => {
    const { lab } = openLab();
    lab.addEmbedded({ id: 'lab2', seed: 2 });
    const xsd = lab.xenstored('lab2')!;
    expect((await lab.host('lab2').xenstoreList('/local/domain/0/domid')).node.value).toBe('0');
    await lab.remove('lab2');
    expect(() => statSync(xsd.socketPath)).toThrow(/ENOENT/);
  });
});
