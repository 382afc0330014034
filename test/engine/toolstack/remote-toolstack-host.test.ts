import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteXenHost } from '../../../engine/remote/remote-host';
import { RemoteToolstackHost } from '../../../engine/toolstack/remote-toolstack-host';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';
import { startFakeDom0, type CommandHandler, type FakeDom0 } from '../remote/fake-dom0';
import { realErr, realOut } from '../remote/fixtures';

const TOOLS = 'xl yes\nxenstore-read yes\nxenstore-ls yes\nxenstore-watch no\nxen-livepatch yes\n';

/** dom0 answering as the real Xen 4.17 host did (test/fixtures/realxen); records commands. */
function realDom0(seen: string[]): CommandHandler {
  return (cmd, stdin) => {
    seen.push(cmd);
    if (cmd.includes('command -v')) return { stdout: TOOLS };
    switch (cmd) {
      case 'xl info':
        return { stdout: realOut('xl-info') };
      case 'xl list -v && echo @@xendeck-cpupools@@ && xl list -c':
        return { stdout: `${realOut('xl-list-v-guest')}@@xendeck-cpupools@@\n${realOut('xl-list-c')}` };
      case 'xl list -l':
        return { stdout: realOut('xl-list-l-guest') };
      case 'xl destroy nosuch':
        return { stderr: realErr('xl-destroy-nosuch'), code: 1 };
    }
    const create = /^umask 077; set -C; cat > (\/tmp\/xendeck-[0-9a-f]{12}\.cfg) \|\| exit 125; xl create( -p)? \1; rc=\$\?; rm -f \1; exit \$rc$/.exec(cmd);
    if (create && stdin.includes('xendeck-pv')) return { stderr: realErr('xl-create-duplicate'), code: 1 };
    return { stderr: `sh: unexpected command ${cmd}\n`, code: 99 };
  };
}

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

async function host(seen: string[]): Promise<RemoteToolstackHost> {
  dom0 = await startFakeDom0(realDom0(seen));
  const remote = await RemoteXenHost.connect({
    ssh: { host: '127.0.0.1', port: dom0.port, username: 'root', privateKey: dom0.clientKey, knownHostsPath: join(mkdtempSync(join(tmpdir(), 'rth-')), 'known_hosts'), onUnknownHostKey: () => true },
    sleep: () => Promise.resolve(),
  });
  return new RemoteToolstackHost('xen1', remote);
}

describe('RemoteToolstackHost: a real Xen host behind the toolstack façade', () => {
  it('summarises the host and lists its domains with their types from xl list -l', async () => {
    const h = await host([]);
    const s = await h.summary();
    expect(s).toMatchObject({ id: 'xen1', kind: 'remote', scheduler: 'credit2', nrDomains: 2 });
    expect(s.xenVersion).toMatch(/^4\.17/);
    const doms = await h.listDomains();
    expect(doms.map((d) => [d.domid, d.name, d.type])).toEqual([
      [0, 'Domain-0', 'pv'],
      [2, 'xendeck-pv', 'pv'],
    ]);
    expect(doms[1]!.state).toHaveLength(6);
    await h.close();
  });

  it("turns xl's failures into toolstack errors with xl's words", async () => {
    const h = await host([]);
    const gone = await h.destroy('nosuch').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(ToolstackError);
    expect((gone as ToolstackError).message).toContain('nosuch is an invalid domain identifier');
    const dup = await h.createDomain({ configText: 'name = "xendeck-pv"\nmemory = 128\n' }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'EEXIST' });
    expect((dup as ToolstackError).message).toContain('Domain with name "xendeck-pv" already exists.');
    await h.close();
  });

  it('checks a dry run locally without sending anything that changes the host', async () => {
    const seen: string[] = [];
    const h = await host(seen);
    const before = seen.length;
    const r = await h.createDomain({ configText: 'name = "g"\nmemory = 256\n', dryRun: true });
    expect(r.domid).toBeUndefined();
    expect(r.buildInfo.b_info.target_memkb).toBe(256 * 1024);
    expect(r.warnings.at(-1)).toContain('was not asked');
    expect(seen.length).toBe(before);
    const bad = await h.createDomain({ configText: 'memory = 256\n', dryRun: true }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'ECONFIG', message: 'Domain name must be specified.' });
    await h.close();
  });
});

describe('RemoteToolstackHost: CPU pools on a real host run xl cpupool-*', () => {
  it('sends the xl commands a pool move takes, with the arguments quoted for the shell', async () => {
    const seen: string[] = [];
    dom0 = await startFakeDom0((cmd) => {
      seen.push(cmd);
      if (cmd.includes('command -v')) return { stdout: TOOLS };
      if (cmd === 'xl cpupool-list && echo @@xendeck-cpus@@ && xl cpupool-list -c') {
        return { stdout: `${realOut('xl-cpupool-list-2')}@@xendeck-cpus@@\n${realOut('xl-cpupool-list-c-2')}` };
      }
      if (cmd.startsWith('xl cpupool-') || cmd.startsWith('xl sched-credit')) return cmd.startsWith('xl sched-credit') ? { stdout: realOut('xl-sched-credit') } : {};
      return { stderr: `sh: unexpected command ${cmd}\n`, code: 99 };
    });
    const remote = await RemoteXenHost.connect({
      ssh: { host: '127.0.0.1', port: dom0.port, username: 'root', privateKey: dom0.clientKey, knownHostsPath: join(mkdtempSync(join(tmpdir(), 'rth-')), 'known_hosts'), onUnknownHostKey: () => true },
      sleep: () => Promise.resolve(),
    });
    const h = new RemoteToolstackHost('xen1', remote);
    await h.cpupoolRemoveCpus('Pool-0', [1]);
    const p = await h.createCpupool('cp-credit', 'credit', [1]);
    expect(p).toMatchObject({ name: 'cp-credit', sched: 'credit', cpus: [1] });
    await h.migrateToCpupool('xendeck-pv', 'cp-credit');
    await h.destroyCpupool('cp-credit');
    expect(seen.filter((c) => c.startsWith('xl cpupool-') && !c.startsWith('xl cpupool-list'))).toEqual([
      'xl cpupool-cpu-remove Pool-0 1',
      `xl cpupool-create 'name="cp-credit"' 'sched="credit"' 'cpus="1"'`,
      'xl cpupool-migrate xendeck-pv cp-credit',
      'xl cpupool-destroy cp-credit',
    ]);
    const bad = await h.createCpupool('x; rm -rf /', 'credit', [1]).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ToolstackError);
    await h.close();
  });
});
