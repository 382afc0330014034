import { afterEach, describe, expect, it } from 'vitest';
import { BadArgumentError, ConnectionLostError, ToolMissingError, XlCommandError } from '../../../engine/remote/errors';
import { configName, RemoteXenHost } from '../../../engine/remote/remote-host';
import { connectToFakeDom0, startFakeDom0, type CommandHandler, type CommandReply, type FakeDom0 } from './fake-dom0';
import { realErr, realOut } from './fixtures';

const ALL_TOOLS = 'xl yes\nxenstore-read yes\nxenstore-ls yes\nxenstore-watch yes\nxen-livepatch yes\n';
const GUEST_ROWS = realOut('xl-list-v-guest').split('\n');

/** Answers as the real Xen 4.17 host did (test/fixtures/realxen). */
function realDom0(overrides: Record<string, CommandReply> = {}, tools = ALL_TOOLS): CommandHandler {
  return (cmd, stdin) => {
    if (cmd in overrides) return overrides[cmd] as CommandReply;
    if (cmd.includes('command -v')) return { stdout: tools };
    const strip = cmd.replace(/^sudo -n /, '').replace(/ && sudo -n /g, ' && ');
    switch (strip) {
      case 'xl info': return { stdout: realOut('xl-info') };
      case 'xl list -v && echo @@xendeck-cpupools@@ && xl list -c':
        return { stdout: `${realOut('xl-list-v-guest')}@@xendeck-cpupools@@\n${realOut('xl-list-c')}` };
      case 'xl list -v xendeck-pv': return { stdout: `${GUEST_ROWS[0]}\n${GUEST_ROWS[2]}\n` };
      case 'xl cpupool-list && echo @@xendeck-cpus@@ && xl cpupool-list -c':
        return { stdout: `${realOut('xl-cpupool-list-2')}@@xendeck-cpus@@\n${realOut('xl-cpupool-list-c-2')}` };
      case 'xl sched-credit -d xendeck-pv': return { stdout: realOut('xl-sched-credit-d') };
      case 'xl destroy nosuch': return { stderr: realErr('xl-destroy-nosuch'), code: 1 };
      case 'xl pause xendeck-pv': return {};
    }
    const create = /^umask 077; set -C; cat > (\/tmp\/xendeck-[0-9a-f]{12}\.cfg) \|\| exit 125; (?:sudo -n )?xl create( -p)? \1; rc=\$\?; rm -f \1; exit \$rc$/.exec(cmd);
    if (create) {
      const file = create[1] as string;
      if (stdin.includes('= =')) {
        return { stderr: realErr('xl-create-syntax-error').split('/tmp/bad.cfg').join(file), code: 1 };
      }
      return { stderr: `Parsing config from ${file}\n` };
    }
    return { stderr: `sh: unexpected command ${cmd}\n`, code: 99 };
  };
}

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

async function connect(handler: CommandHandler, sudo = false): Promise<RemoteXenHost> {
  dom0 = await startFakeDom0(handler);
  return connectToFakeDom0(dom0, { sudo });
}

describe('RemoteXenHost over SSH (dom0 answering with real Xen 4.17 outputs)', () => {
  it('finds the tools on connect and refuses a host without xl', async () => {
    const h = await connect(realDom0());
    expect(h.capabilities).toEqual({ xl: true, xenstoreRead: true, xenstoreLs: true, xenstoreWatch: true, xenLivepatch: true, xenCpuid: false });
    await h.close();
    await dom0?.close();
    const err = await connect(realDom0({}, 'xl no\nxenstore-read no\nxenstore-ls no\nxenstore-watch no\nxen-livepatch no\n')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect((err as Error).message).toMatch(/xl is not available on root@127\.0\.0\.1:\d+/);
    expect((err as ToolMissingError).hint).toMatch(/Xen dom0/);
  });

  it('reads physinfo and the domain list with each domain\'s pool', async () => {
    const h = await connect(realDom0());
    expect((await h.physinfo()).xenScheduler).toBe('credit2');
    const doms = await h.domainList();
    expect(doms.map((d) => [d.domid, d.name, d.cpupool])).toEqual([[0, 'Domain-0', 'Pool-0'], [2, 'xendeck-pv', 'cp-credit']]);
    expect(doms[1]?.uuid).toMatch(/^[0-9a-f-]{36}$/);
    await h.close();
  });

  it('asks the scheduler of the domain\'s pool for its parameters', async () => {
    const h = await connect(realDom0());
    expect(await h.domainSchedParams('xendeck-pv')).toEqual({ sched: 'credit', params: [{ name: 'xendeck-pv', domid: 2, weight: 256, cap: 0 }] });
    await h.close();
  });

  it('creates from config text sent on stdin, once, and returns the new domain', async () => {
    const h = await connect(realDom0());
    const d = await h.create('name = "xendeck-pv"\ntype = "pv"\nmemory = 128\n');
    expect(d).toMatchObject({ domid: 2, name: 'xendeck-pv', memMiB: 128 });
    expect(dom0?.commands.filter((c) => c.includes('xl create'))).toHaveLength(1);
    await h.close();
  });

  it('reports a config error naming the config, not the temporary file', async () => {
    const h = await connect(realDom0());
    const err = await h.create('name = "bad"\nmemory = = 3\n', { source: 'bad.cfg' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XlCommandError);
    expect((err as XlCommandError).failure.kind).toBe('config-syntax');
    expect((err as Error).message).toBe("`xl create bad.cfg` failed (exit 1): bad.cfg:2: config parsing error near `=': syntax error, unexpected '=', expecting STRING or NUMBER or '['");
    expect((err as XlCommandError).stderr).not.toContain('/tmp/xendeck-');
    await h.close();
  });

  it('checks config text and domain references before sending anything', async () => {
    const h = await connect(realDom0());
    const before = dom0?.commands.length;
    await expect(h.create('  \n')).rejects.toBeInstanceOf(BadArgumentError);
    await expect(h.create('memory = 128\n')).rejects.toThrow(/no name =/);
    await expect(h.destroy('-f')).rejects.toBeInstanceOf(BadArgumentError);
    await expect(h.pause(70000)).rejects.toThrow(/out of range/);
    await expect(h.xenstoreRead('relative/path')).rejects.toThrow(/not a xenstore path/);
    expect(dom0?.commands.length).toBe(before);
    await h.close();
  });

  it('does not create twice when the link drops after the request went out', async () => {
    const h = await connect((cmd, stdin) => (cmd.includes('xl create') ? { drop: true } : realDom0()(cmd, stdin)));
    const err = await h.create('name = "xendeck-pv"\n').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as ConnectionLostError).mayHaveHappened).toBe(true);
    expect(dom0?.commands.filter((c) => c.includes('xl create'))).toHaveLength(1);
    // queries go on over a new connection
    expect((await h.domainList()).length).toBe(2);
    await h.close();
  });

  it('turns xl failures into typed errors', async () => {
    const h = await connect(realDom0());
    const err = await h.destroy('nosuch').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(XlCommandError);
    expect(err).toMatchObject({ code: 'command-failed', exitCode: 1, failure: { kind: 'no-such-domain' } });
    expect((err as Error).message).toBe('`xl destroy nosuch` failed (exit 1): nosuch is an invalid domain identifier (rc=-6)');
    await h.close();
  });

  it('runs every tool through sudo -n when asked', async () => {
    const h = await connect(realDom0(), true);
    await h.pause('xendeck-pv');
    await h.domainList();
    expect(dom0?.commands.slice(-2)).toEqual(['sudo -n xl pause xendeck-pv', 'sudo -n xl list -v && echo @@xendeck-cpupools@@ && sudo -n xl list -c']);
    await h.close();
  });

  it('opens the console on a pty and detaches with Ctrl-]', async () => {
    const h = await connect(realDom0());
    const con = await h.console(2);
    let seen = '';
    con.onData((d) => { seen += Buffer.from(d).toString(); });
    const reasons: string[] = [];
    con.onClose((r) => reasons.push(r));
    const echoed = new Promise<void>((r) => con.onData(() => { if (seen.includes('root')) r(); }));
    con.write('root');
    await echoed;
    con.close();
    expect(reasons).toEqual(['detached']);
    expect(dom0?.commands.at(-1)).toBe('xl console 2');
    await h.close();
  });

  it('rename, mem-set, vcpu-set and per-vCPU sched-rtds run xl on dom0 with xl\'s arguments; bad ones never leave', async () => {
    const h = await connect((cmd) => (/^xl (rename|mem-set|vcpu-set|sched-rtds) /.test(cmd) ? {} : realDom0()(cmd, '')));
    await h.rename('xendeck-pv', 'web1');
    await h.memSet(3, 131072);
    await h.vcpuSet('web1', 2);
    await h.setVcpuRtds('web1', [{ vcpu: 1, period: 10000, budget: 2500, extratime: false }]);
    expect(dom0?.commands.slice(-4)).toEqual(['xl rename xendeck-pv web1', 'xl mem-set 3 131072k', 'xl vcpu-set web1 2', 'xl sched-rtds -d web1 -v 1 -p 10000 -b 2500 -e 0']);
    await expect(h.rename('web1', 'a b; reboot')).rejects.toBeInstanceOf(BadArgumentError);
    await expect(h.memSet('web1', -1)).rejects.toBeInstanceOf(BadArgumentError);
    expect(dom0?.commands.some((c) => c.includes('reboot'))).toBe(false);
    await h.close();
  });

  it('reads the name of an xl.cfg text', () => {
    expect(configName('name = "web1"\n')).toBe('web1');
    expect(configName("memory=1\n name='db' # primary\n")).toBe('db');
    expect(configName('# name = "x"\n')).toBeUndefined();
  });
});
