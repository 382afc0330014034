// The tuning operations of the connector (pool and domain scheduler parameters,
// vcpu-pin, mem-max, dmesg -c, CPUID policies through xen-cpuid) against an SSH server
// that answers as the real Xen 4.17 host did (test/fixtures/realxen).
import { afterEach, describe, expect, it } from 'vitest';
import { BadArgumentError, ConnectionLostError, NotSupportedError, ToolMissingError, XlCommandError } from '../../../engine/remote/errors';
import { RemoteXenHost } from '../../../engine/remote/remote-host';
import { RemoteToolstackHost } from '../../../engine/toolstack/remote-toolstack-host';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';
import { connectToFakeDom0, startFakeDom0, type CommandHandler, type CommandReply, type FakeDom0, toolsProbe } from './fake-dom0';
import { realErr, realOut } from './fixtures';

const XEN_CPUID = '/usr/lib/xen-4.17/bin/xen-cpuid';
const TOOLS = toolsProbe(XEN_CPUID);
const NO_CPUID = toolsProbe();
const GUEST_ROWS = realOut('xl-list-v-guest').split('\n');

/** An RTDS pool "rt" holding the guest, in xl 4.17's formats (tools/xl/xl_cpupool.c, xl_sched.c). */
const RT_POOLS = 'Name               CPUs   Sched     Active   Domain count\nPool-0               1   credit2       y          1\nrt                   1      rtds       y          1\n';
const RT_POOLS_C = 'Name               CPU list\nPool-0             0\nrt                 1\n';
const RT_LIST_C = realOut('xl-list-c').replace(/ cp-credit$/m, '        rt');
const RT_DOMAIN = 'Name                                ID VCPU    Period    Budget  Extratime\nxendeck-pv                           2    0     10000      4000        yes\n';

function reply(cmd: string, rtds: boolean): CommandReply | undefined {
  switch (cmd) {
    case 'xl list -v xendeck-pv': return { stdout: `${GUEST_ROWS[0]}\n${GUEST_ROWS[2]}\n` };
    case 'xl list -v && echo @@xendeck-cpupools@@ && xl list -c':
      return { stdout: `${realOut('xl-list-v-guest')}@@xendeck-cpupools@@\n${rtds ? RT_LIST_C : realOut('xl-list-c')}` };
    case 'xl cpupool-list && echo @@xendeck-cpus@@ && xl cpupool-list -c':
      return { stdout: rtds ? `${RT_POOLS}@@xendeck-cpus@@\n${RT_POOLS_C}` : `${realOut('xl-cpupool-list-2')}@@xendeck-cpus@@\n${realOut('xl-cpupool-list-c-2')}` };
    case 'xl info': return { stdout: realOut('xl-info') };
    case 'xl sched-rtds -d xendeck-pv -v all': return { stdout: RT_DOMAIN };
    case `${XEN_CPUID} -v && echo @@xendeck-policy@@ && ${XEN_CPUID} -p`:
      return { stdout: `${realOut('xen-cpuid-v')}@@xendeck-policy@@\n${realOut('xen-cpuid-p')}` };
    case `${XEN_CPUID} -v && echo @@xendeck-policy@@ && ${XEN_CPUID} --policy=2`:
      return { stdout: `${realOut('xen-cpuid-v')}@@xendeck-policy@@\n${realOut('xen-cpuid-policy-guest')}` };
    case `${XEN_CPUID} -v && echo @@xendeck-policy@@ && ${XEN_CPUID} --policy=99`:
      return { stdout: `${realOut('xen-cpuid-v')}@@xendeck-policy@@\n`, stderr: realErr('xen-cpuid-policy-nosuch'), code: 1 };
    case 'xl sched-credit2 -s -p Pool-0 -r 1': return { stderr: realErr('xl-sched-credit2-s-bad-ratelimit'), code: 1 };
    case 'xl sched-credit -s -p cp-credit -t 0': return { stderr: realErr('xl-sched-credit-s-bad-tslice'), code: 1 };
    case 'xl vcpu-pin xendeck-pv 0 7': return { stderr: realErr('xl-vcpu-pin-bad-cpu'), code: 1 };
    case 'xl mem-max xendeck-pv 65536k': return { stderr: realErr('xl-mem-max-too-small'), code: 1 };
  }
  if (cmd === 'xenstore-ls /local/domain/2/device') return { stdout: DEVICE_LS };
  if (cmd === 'xenstore-ls /local/domain/0/backend/vbd/2/51712') return { stdout: VBD_BACKEND_LS };
  if (cmd === 'xenstore-ls /local/domain/0/backend/vif/2/0') return { stdout: VIF_BACKEND_LS };
  if (cmd === 'xl list -v 2') return { stdout: `${GUEST_ROWS[0]}\n${GUEST_ROWS[2]}\n` };
  if (cmd.startsWith(`${XEN_CPUID} `) && /^[0-9a-f:]+$/.test(cmd.slice(XEN_CPUID.length + 1))) return { stdout: realOut('xen-cpuid-decode') };
  // the changes that succeed print nothing
  if (/^xl (sched-credit2? -s -p \S+|sched-rtds -d \S+ -v (all|\d+ -p)|vcpu-pin \S+|mem-max \S+|dmesg -c)/.test(cmd)) return { stdout: '' };
  return undefined;
}

/** xenstore-ls of a guest with one disk and one vif, as libxl lays them out (libxl_disk.c, libxl_nic.c). */
const DEVICE_LS = [
  'suspend = ""', ' event-channel = ""',
  'vbd = ""', ' 51712 = ""', '  backend = "/local/domain/0/backend/vbd/2/51712"', '  backend-id = "0"', '  state = "4"', '  virtual-device = "51712"',
  '  device-type = "disk"', '  ring-ref = "8"', '  event-channel = "12"', '  protocol = "x86_64-abi"',
  'vif = ""', ' 0 = ""', '  backend = "/local/domain/0/backend/vif/2/0"', '  backend-id = "0"', '  state = "1"', '  handle = "0"', '  mac = "00:16:3e:5a:1b:2c"',
  '',
].join('\n');
const VBD_BACKEND_LS = ['frontend = "/local/domain/2/device/vbd/51712"', 'params = "/var/lib/xen/images/web.img"', 'type = "qdisk"', 'mode = "w"', 'dev = "xvda"', 'device-type = "disk"', 'state = "4"', ''].join('\n');
const VIF_BACKEND_LS = ['frontend = "/local/domain/2/device/vif/0"', 'mac = "00:16:3e:5a:1b:2c"', 'bridge = "xenbr0"', 'state = "2"', ''].join('\n');

function realDom0(opts: { tools?: string; rtds?: boolean; overrides?: Record<string, CommandReply> } = {}): CommandHandler {
  return (cmd) => {
    if (opts.overrides && cmd in opts.overrides) return opts.overrides[cmd] as CommandReply;
    if (cmd.includes('command -v')) return { stdout: opts.tools ?? TOOLS };
    return reply(cmd, opts.rtds ?? false) ?? { stderr: `sh: unexpected command ${cmd}\n`, code: 99 };
  };
}

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

async function connect(handler: CommandHandler): Promise<RemoteXenHost> {
  dom0 = await startFakeDom0(handler);
  return connectToFakeDom0(dom0);
}

const sent = (): string[] => (dom0?.commands ?? []).filter((c) => !c.includes('command -v'));

describe('RemoteXenHost tuning commands (dom0 answering with real Xen 4.17 outputs)', () => {
  it("reads the host's CPUID policy with the xen-cpuid it found off PATH", async () => {
    const h = await connect(realDom0());
    expect(h.capabilities.xenCpuid).toBe(true);
    const p = await h.cpuPolicy();
    expect(p).toMatchObject({ vendor: 'AuthenticAMD', family: 15, model: 107 });
    expect(p.features).toEqual(expect.arrayContaining(['fpu', 'sse2', 'svm', 'lm', 'nx']));
    expect(new Set(p.features).size).toBe(p.features.length);
    await h.close();
  });

  it("reads a guest's policy: its leaves become a featureset that xen-cpuid names", async () => {
    const h = await connect(realDom0());
    const p = await h.cpuPolicy('xendeck-pv');
    expect(p.words.slice(0, 4)).toEqual([0x1789c3f5, 0x80002001, 0x2191cbf5, 0x00000003]);
    expect(p.features).toContain('sse3');
    expect(p.features).not.toContain('svm');
    const decode = sent().at(-1) as string;
    expect(decode.startsWith(`${XEN_CPUID} 1789c3f5:80002001:2191cbf5:00000003:`)).toBe(true);
    expect(decode.split(' ')[1]?.split(':')).toHaveLength(19);
    const gone = await h.cpuPolicy(99).catch((e: unknown) => e);
    expect(gone).toMatchObject({ failure: { kind: 'no-such-domain' } });
    await h.close();
  });

  it('says xen-cpuid is missing, and where it looked', async () => {
    const h = await connect(realDom0({ tools: NO_CPUID }));
    const e = await h.cpuPolicy().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ToolMissingError);
    expect((e as ToolMissingError).hint).toMatch(/\/usr\/lib\/xen-\*\/bin/);
    await h.close();
  });

  it("sets pool parameters with the pool's scheduler and refuses what that scheduler lacks before sending", async () => {
    const h = await connect(realDom0());
    await h.setPoolSchedParams('cp-credit', { tsliceMs: 5, ratelimitUs: 500, migrationDelayUs: 200 });
    await h.setPoolSchedParams('Pool-0', { ratelimitUs: 1500 });
    expect(sent().filter((c) => c.includes(' -s '))).toEqual(['xl sched-credit -s -p cp-credit -t 5 -r 500 -m 200', 'xl sched-credit2 -s -p Pool-0 -r 1500']);
    await expect(h.setPoolSchedParams('Pool-0', { tsliceMs: 5 })).rejects.toBeInstanceOf(NotSupportedError);
    await expect(h.setPoolSchedParams('Pool-0', {})).rejects.toBeInstanceOf(BadArgumentError);
    await expect(h.setPoolSchedParams('cp-credit', { tsliceMs: 1.5 })).rejects.toBeInstanceOf(BadArgumentError);
    const range = await h.setPoolSchedParams('Pool-0', { ratelimitUs: 1 }).catch((e: unknown) => e);
    expect(range).toBeInstanceOf(XlCommandError);
    expect(range).toMatchObject({ failure: { kind: 'out-of-range', summary: 'Ratelimit out of range, valid range is from 100 to 500000' } });
    const missing = await h.setPoolSchedParams('nosuch', { ratelimitUs: 1000 }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ failure: { kind: 'no-such-cpupool' } });
    await h.close();
  });

  it('sets RTDS period, budget and extratime on every vCPU, each keeping its own values that are not changed', async () => {
    // two vCPUs whose parameters differ (as `xl sched-rtds -v 1 ...` leaves them)
    const rows = `${RT_DOMAIN}xendeck-pv                           2    1     20000      5000         no\n`;
    const h = await connect(realDom0({ rtds: true, overrides: { 'xl sched-rtds -d xendeck-pv -v all': { stdout: rows } } }));
    await h.setDomainSchedParams('xendeck-pv', { budgetUs: 2000 });
    expect(sent().at(-1)).toBe('xl sched-rtds -d xendeck-pv -v 0 -p 10000 -b 2000 -e 1 -v 1 -p 20000 -b 2000 -e 0');
    await h.setDomainSchedParams('xendeck-pv', { periodUs: 30000, budgetUs: 5000, extratime: false });
    expect(sent().at(-1)).toBe('xl sched-rtds -d xendeck-pv -v 0 -p 30000 -b 5000 -e 0 -v 1 -p 30000 -b 5000 -e 0');
    await expect(h.setDomainSchedParams('xendeck-pv', { weight: 512 })).rejects.toBeInstanceOf(NotSupportedError);
    await h.close();
  });

  it('pins vCPUs ("-" leaves the hard affinity) and sets the maximum memory in KiB', async () => {
    const h = await connect(realDom0());
    await h.vcpuPin('xendeck-pv', 'all', [1], null);
    await h.vcpuPin('xendeck-pv', 0, null, [0]);
    await h.memMax('xendeck-pv', 262144);
    expect(sent()).toEqual(['xl vcpu-pin xendeck-pv all 1', "xl vcpu-pin xendeck-pv 0 - 0", 'xl mem-max xendeck-pv 262144k']);
    const pin = await h.vcpuPin('xendeck-pv', 0, [7], null).catch((e: unknown) => e);
    expect(pin).toMatchObject({ failure: { kind: 'invalid-argument', summary: 'Setting vcpu affinity: Invalid argument' } });
    const small = await h.memMax('xendeck-pv', 65536).catch((e: unknown) => e);
    expect(small).toMatchObject({ failure: { kind: 'invalid-argument' } });
    await expect(h.vcpuPin('xendeck-pv', 0, null, null)).rejects.toBeInstanceOf(BadArgumentError);
    await expect(h.memMax('xendeck-pv', -1)).rejects.toBeInstanceOf(BadArgumentError);
    await h.close();
  });

  it("reads a domain's vbds and vifs from the frontend and backend directories, -1 for what the guest has not written", async () => {
    const h = await connect(realDom0());
    expect(await h.domainDevices('xendeck-pv')).toEqual({
      disks: [{ devid: 51712, vdev: 'xvda', target: '/var/lib/xen/images/web.img', backendType: 'qdisk', mode: 'w', cdrom: false, backendDomid: 0, state: 4, evtch: 12, ringRef: 8, backendPath: '/local/domain/0/backend/vbd/2/51712' }],
      nics: [{ devid: 0, mac: '00:16:3e:5a:1b:2c', bridge: 'xenbr0', backendDomid: 0, state: 1, evtch: -1, txRingRef: -1, rxRingRef: -1, backendPath: '/local/domain/0/backend/vif/2/0' }],
    });
    expect((await h.domainDevices(2)).disks).toHaveLength(1);
    await h.close();
  });

  it('sends xl dmesg -c once: a dropped link may have cleared the ring already', async () => {
    const h = await connect(realDom0({ overrides: { 'xl dmesg -c': { drop: true } } }));
    const e = await h.dmesg({ clear: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ConnectionLostError);
    expect((e as ConnectionLostError).mayHaveHappened).toBe(true);
    expect(sent().filter((c) => c === 'xl dmesg -c')).toHaveLength(1);
    await h.close();
  });
});

describe('RemoteToolstackHost: tuning a real host through the façade', () => {
  async function facade(opts: Parameters<typeof realDom0>[0] = {}): Promise<RemoteToolstackHost> {
    return new RemoteToolstackHost('xen', await connect(realDom0(opts)));
  }

  it("gives the CPUID policy in the toolstack's shape, the TSC rate from xl info's cpu_mhz", async () => {
    const h = await facade();
    const p = await h.cpuPolicy();
    expect(p).toMatchObject({ vendor: 'AuthenticAMD', family: 15, model: 107 });
    expect(p.tscKhz).toBe(Math.round(Number(/cpu_mhz\s+: (\S+)/.exec(realOut('xl-info'))?.[1]) * 1000));
    await h.close();
  });

  it("turns what the host lacks or refuses into the toolstack's codes", async () => {
    let h = await facade({ tools: NO_CPUID });
    expect(await h.cpuPolicy().catch((e: unknown) => e)).toMatchObject({ code: 'ENOSYS', message: expect.stringMatching(/^xen-cpuid is not available/) });
    await h.close();
    await dom0?.close();
    h = await facade();
    const range = await h.setPoolSched('cp-credit', { tsliceMs: 0 }).catch((e: unknown) => e);
    expect(range).toBeInstanceOf(ToolstackError);
    expect(range).toMatchObject({ code: 'ERANGE', message: 'Time slice out of range, valid range is from 1 to 1000' });
    expect(await h.setPoolSched('Pool-0', { tsliceMs: 5 }).catch((e: unknown) => e)).toMatchObject({ code: 'EOPNOTSUPP' });
    expect(await h.setVcpuAffinity('xendeck-pv', 0, [7], null).catch((e: unknown) => e)).toMatchObject({ code: 'EINVAL' });
    expect(await h.cpuPolicy(99).catch((e: unknown) => e)).toMatchObject({ code: 'ESRCH' });
    await h.close();
  });

  it("opens a guest's console for the console service: xl console on a pty, Ctrl-] to detach", async () => {
    const h = await facade();
    const con = await h.console(2);
    const seen: string[] = [];
    con.onData((d) => seen.push(Buffer.from(d).toString('utf8')));
    let closed = '';
    con.onClose((r) => { closed = r; });
    await expect.poll(() => seen.join('')).toContain('login: ');
    con.close();
    expect(closed).toBe('detached');
    expect(dom0?.commands.at(-1)).toBe('xl console 2');
    await h.close();
  });

  // libxl's sched_rtds_domain_set has no xl command (xl wants -v): its effect is made per
  // vCPU, getinfo's 10000/4000 µs under what is given, each vCPU keeping its extratime
  // (rt_dom_cntl's putinfo ignores the flag); the rows of -v all are the vCPUs
  it('lists RTDS vCPUs and sets domain parameters as libxl does, per vCPU', async () => {
    const h = await facade({ rtds: true });
    expect((await h.domainSched('xendeck-pv')).vcpus).toEqual([{ vcpu: 0, period: 10000, budget: 4000, extratime: true }]);
    await h.setDomainSched('xendeck-pv', { period: 20000, extratime: false });
    expect(sent().at(-1)).toBe('xl sched-rtds -d xendeck-pv -v 0 -p 20000 -b 4000 -e 1');
    const n = sent().length;
    expect(await h.setDomainSched('xendeck-pv', { budget: 12000 }).catch((e: unknown) => e)).toMatchObject({ code: 'EINVAL', message: 'VCPU budget must be smaller than or equal to period, but 12000 > 10000' });
    expect(sent().slice(n).filter((c) => / -p /.test(c))).toEqual([]);
    await h.close();
  });

  it('maps pool parameters and xl info onto the toolstack names', async () => {
    const h = await facade();
    await h.setPoolSched('cp-credit', { tsliceMs: 5, ratelimitUs: 500, vcpuMigrDelayUs: 200 });
    expect(sent().at(-1)).toBe('xl sched-credit -s -p cp-credit -t 5 -r 500 -m 200');
    const p = await h.physinfo();
    expect(p).toMatchObject({ nrCpus: 2, maxCpuId: 1, nrNodes: 1, maxNodeId: 0, totalPages: 2047 * 256 });
    expect(p.capabilities).toEqual(['pv', 'hvm', 'gnttab-v1', 'gnttab-v2']);
    await h.close();
  });
});
