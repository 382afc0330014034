import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';
import { Lab, type RemoteConnector } from '../../../main/services/lab';
import { LabStore } from '../../../main/services/lab-store';
import { startFakeDom0, type FakeDom0 } from '../../engine/remote/fake-dom0';
import { realOut } from '../../engine/remote/fixtures';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'lab-'));
let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

/** A "real" host that is an embedded one in disguise: enough to test the lab's bookkeeping. */
const fakeConnector: RemoteConnector = async (entry) => {
  if (entry.ssh.host === 'down.example') throw new ToolstackError('EREMOTE', 'cannot reach root@down.example:22: connect ECONNREFUSED');
  return new EmbeddedHost({ id: entry.id });
};

describe('Lab and LabStore', () => {
  it('starts with the default embedded host and keeps added hosts across a restart', async () => {
    const dir = tmp();
    const lab = Lab.open(new LabStore(dir), { connector: fakeConnector });
    expect((await lab.list()).map((h) => [h.id, h.kind, h.state])).toEqual([['lab1', 'embedded', 'online']]);
    await lab.addRemote({ id: 'xen1', kind: 'remote', ssh: { host: 'xen1.example', username: 'root', privateKeyPath: '/k' } });
    await lab.close();
    const saved = JSON.parse(readFileSync(join(dir, 'hosts.json'), 'utf8')) as { hosts: { id: string }[] };
    expect(saved.hosts.map((h) => h.id)).toEqual(['lab1', 'xen1']);
    const again = Lab.open(new LabStore(dir), { connector: fakeConnector });
    await new Promise((r) => setTimeout(r, 10));
    expect((await again.list()).map((h) => [h.id, h.state])).toEqual([['lab1', 'online'], ['xen1', 'online']]);
    await again.close();
  });

  it('leaves the lab as it was when a host cannot be added', async () => {
    const dir = tmp();
    const lab = Lab.open(new LabStore(dir), { connector: fakeConnector });
    const e = await lab.addRemote({ id: 'down', kind: 'remote', ssh: { host: 'down.example', username: 'root' } }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'EREMOTE' });
    expect((await lab.list()).map((h) => h.id)).toEqual(['lab1']);
    expect(await lab.addRemote({ id: 'lab1', kind: 'remote', ssh: { host: 'x', username: 'root' } }).catch((x: unknown) => x)).toMatchObject({ code: 'EEXIST' });
    expect(await lab.remove('lab1').catch((x: unknown) => x)).toMatchObject({ code: 'EPERM' });
  });

  it('shows a saved host that is down as offline with the reason, and the rest keeps working', async () => {
    const dir = tmp();
    new LabStore(dir).save([
      { id: 'lab1', kind: 'embedded', preset: 'small-lab', seed: 3 },
      { id: 'down', kind: 'remote', ssh: { host: 'down.example', username: 'root' } },
    ]);
    const lab = Lab.open(new LabStore(dir), { connector: fakeConnector });
    await new Promise((r) => setTimeout(r, 10));
    const list = await lab.list();
    expect(list[1]).toMatchObject({ id: 'down', state: 'offline', summary: null });
    expect(list[1]!.detail).toContain('ECONNREFUSED');
    expect(() => lab.host('down')).toThrow(/down is offline/);
    expect((await lab.host('lab1').listDomains())[0]!.name).toBe('Domain-0');
  });

  it('names a broken hosts.json and what is wrong in it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'hosts.json'), '{"version":1,"hosts":[{"id":"a","kind":"warp"}]}');
    expect(() => new LabStore(dir).load()).toThrow(/hosts\.json: hosts\.0\.kind/);
  });

  it('refuses an unknown SSH host key until its fingerprint is trusted (sshConnector, fake dom0)', async () => {
    dom0 = await startFakeDom0((cmd) => {
      if (cmd.includes('command -v')) return { stdout: 'xl yes\nxenstore-read yes\nxenstore-ls yes\nxenstore-watch no\nxen-livepatch yes\n' };
      if (cmd === 'xl info') return { stdout: realOut('xl-info') };
      if (cmd.startsWith('xl list -v')) return { stdout: `${realOut('xl-list')}@@xendeck-cpupools@@\n${realOut('xl-list-c')}` };
      return { stderr: 'unexpected', code: 99 };
    });
    const keyDir = tmp();
    writeFileSync(join(keyDir, 'id'), dom0.clientKey);
    const lab = Lab.open(new LabStore(tmp()));
    const entry = { id: 'xen1', kind: 'remote' as const, ssh: { host: '127.0.0.1', port: dom0.port, username: 'root', privateKeyPath: join(keyDir, 'id') } };
    const refused = await lab.addRemote(entry).catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(ToolstackError);
    const fp = /SHA256:[A-Za-z0-9+/]{43}/.exec((refused as Error).message)?.[0];
    expect(fp).toBeDefined();
    expect((await lab.list()).map((h) => h.id)).toEqual(['lab1']);
    await lab.addRemote(entry, fp);
    const xen1 = (await lab.list()).find((h) => h.id === 'xen1');
    expect(xen1).toMatchObject({ state: 'online', kind: 'remote', summary: { scheduler: 'credit2' } });
    await lab.close();
  });

  it("wires xl into each embedded host's Domain 0: a domain it creates from the lab folder is the lab's, with its event", async () => {
    const dir = tmp();
    const lab = Lab.open(new LabStore(dir), { connector: fakeConnector });
    mkdirSync(join(dir, 'etc/xen'), { recursive: true });
    writeFileSync(join(dir, 'etc/xen/tiny.cfg'), 'name = "tiny"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 128\n');
    const events: string[] = [];
    lab.subscribe((e) => events.push(`${e.kind}:${'hostId' in e ? e.hostId : ''}`));
    const host = lab.host('lab1');
    const con = await host.console!(0);
    let text = '';
    con.onData((d) => (text += new TextDecoder().decode(d)));
    con.write('root\rxl create /etc/xen/tiny.cfg\r');
    // up to 10 s of wall time (a loaded machine) for xl to answer on the tty
    for (const end = Date.now() + 10_000; !/Parsing config[^]*# $/.test(text) && Date.now() < end; ) await new Promise((r) => setTimeout(r, 1));
    expect(text).toContain('Parsing config from /etc/xen/tiny.cfg\r\n');
    expect((await host.listDomains()).map((d) => d.name)).toContain('tiny');
    expect(events).toContain('domain.created:lab1');
  });
});
