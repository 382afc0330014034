// What a real Xen 4.17 does with the toolstack's tuning calls, through the same façade
// the GUI and xl use: pool scheduler parameters (xl sched-credit / sched-credit2 -s),
// CPUID policies (xen-cpuid), topology (xl info -n), vcpu-pin, mem-max, dmesg -c, and
// xl's refusals coming back as ToolstackErrors in xl's words.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteXenHost } from '../../engine/remote/remote-host';
import { RemoteToolstackHost } from '../../engine/toolstack/remote-toolstack-host';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import { pvGuestConfig } from './capture';
import { fromEnv } from './env';
import { sshTarget } from './ssh';

const env = fromEnv();
const GUEST = 'xendeck-tuning';
let host: RemoteToolstackHost;

async function refusal(p: Promise<unknown>): Promise<ToolstackError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ToolstackError);
  return e as ToolstackError;
}

beforeAll(async () => {
  host = new RemoteToolstackHost('xen', await RemoteXenHost.connect({ ssh: sshTarget(env) }));
});

afterAll(async () => {
  await host?.close();
});

describe('tuning a real Xen 4.17 through the toolstack façade', () => {
  it("sets credit2's rate limit on Pool-0 and refuses one out of libxl's range with its words", async () => {
    const before = (await host.poolSched('Pool-0')).params.ratelimitUs;
    expect(before).toBe(1000);
    await host.setPoolSched('Pool-0', { ratelimitUs: 1500 });
    expect((await host.poolSched('Pool-0')).params).toEqual({ ratelimitUs: 1500 });
    const e = await refusal(host.setPoolSched('Pool-0', { ratelimitUs: 1 }));
    expect(e.code).toBe('ERANGE');
    expect(e.message).toBe('Ratelimit out of range, valid range is from 100 to 500000');
    const tslice = await refusal(host.setPoolSched('Pool-0', { tsliceMs: 5 }));
    expect(tslice.code).toBe('EOPNOTSUPP');
    await host.setPoolSched('Pool-0', { ratelimitUs: 1000 });
    expect((await host.poolSched('Pool-0')).params).toEqual({ ratelimitUs: 1000 });
  });

  it("sets a credit pool's time slice, rate limit and migration delay, and says which xl refuses", async () => {
    await host.cpupoolRemoveCpus('Pool-0', [1]);
    try {
      await host.createCpupool('xd-tune', 'credit', [1]);
      await host.setPoolSched('xd-tune', { tsliceMs: 5, ratelimitUs: 500, vcpuMigrDelayUs: 200 });
      expect((await host.poolSched('xd-tune')).params).toEqual({ tsliceMs: 5, ratelimitUs: 500, vcpuMigrDelayUs: 200 });
      const over = await refusal(host.setPoolSched('xd-tune', { tsliceMs: 2, ratelimitUs: 5000 }));
      expect(over).toMatchObject({ code: 'EINVAL', message: 'Ratelimit cannot be greater than timeslice' });
      const zero = await refusal(host.setPoolSched('xd-tune', { tsliceMs: 0 }));
      expect(zero).toMatchObject({ code: 'ERANGE', message: 'Time slice out of range, valid range is from 1 to 1000' });
      // a failed change left the pool as it was
      expect((await host.poolSched('xd-tune')).params).toEqual({ tsliceMs: 5, ratelimitUs: 500, vcpuMigrDelayUs: 200 });
      // back to credit's defaults before the pool goes (see README: destroying a credit
      // pool after such changes has crashed this Xen 4.17 in csched_tick)
      await host.setPoolSched('xd-tune', { tsliceMs: 30, ratelimitUs: 1000, vcpuMigrDelayUs: 0 });
      await host.destroyCpupool('xd-tune');
    } finally {
      await host.cpupoolAddCpus('Pool-0', [1]);
    }
    const missing = await refusal(host.setPoolSched('nosuch', { ratelimitUs: 1000 }));
    expect(missing.code).toBe('ENOENT');
  });

  it("refuses an RTDS pool: Debian's release build of Xen 4.17 has no RTDS scheduler", async () => {
    await host.cpupoolRemoveCpus('Pool-0', [1]);
    try {
      const e = await refusal(host.createCpupool('xd-rt', 'rtds', [1]));
      expect(e.message).toBe('Could not create cpupool');
    } finally {
      await host.cpupoolAddCpus('Pool-0', [1]);
    }
  });

  it('reads the CPUID policy of the host and of a guest with xen-cpuid', async () => {
    const h = await host.cpuPolicy();
    // qemu64 on an x86-64 host: QEMU's TCG reports AMD family 15 model 107
    expect(h).toMatchObject({ vendor: 'AuthenticAMD', family: 15, model: 107 });
    expect(h.features).toEqual(expect.arrayContaining(['fpu', 'sse', 'sse2', 'sse3', 'cx16', 'lm', 'nx', 'hyper']));
    expect(h.tscKhz).toBeGreaterThan(100_000);
    await host.createDomain({ configText: pvGuestConfig(GUEST), file: `${GUEST}.cfg`, paused: true });
    try {
      const g = await host.cpuPolicy(GUEST);
      expect(g).toMatchObject({ vendor: 'AuthenticAMD', family: 15, model: 107, tscKhz: h.tscKhz });
      // a PV guest never sees the virtualisation extensions (svm) the host has
      expect(h.features).toContain('svm');
      expect(g.features).not.toContain('svm');
      expect(g.features).toContain('sse2');

      // vcpu-pin: hard to pCPU 1, soft left; then back to all
      await host.setVcpuAffinity(GUEST, 'all', [1], null);
      expect((await host.vcpuList(GUEST)).map((v) => v.hardAffinity)).toEqual(['1']);
      const bad = await refusal(host.setVcpuAffinity(GUEST, 0, [7], null));
      expect(bad).toMatchObject({ code: 'EINVAL', message: 'Setting vcpu affinity: Invalid argument' });
      await host.setVcpuAffinity(GUEST, 0, [0, 1], [0, 1]);
      expect((await host.vcpuList(GUEST))[0]).toMatchObject({ hardAffinity: 'all', softAffinity: 'all' });

      // no disk nor vif in the harness's guest (dom0 has no bridge nor block scripts)
      expect(await host.domainDevices(GUEST)).toEqual({ disks: [], nics: [] });

      // mem-max: up, and never under what the guest has
      await host.setMaxMemory(GUEST, 262144);
      const small = await refusal(host.setMaxMemory(GUEST, 65536));
      expect(small.code).toBe('EINVAL');
      expect(small.message).toMatch(/^memory_static_max must be greater than or or equal to memory_dynamic_max/);
    } finally {
      await host.destroy(GUEST);
    }
    const gone = await refusal(host.cpuPolicy(99));
    expect(gone.code).toBe('ESRCH');
  });

  it('reads the topology from xl info -n', async () => {
    const t = await host.topology();
    expect(t).toMatchObject({ nrNodes: 1, threadsPerCore: 1 });
    expect(t.cpus.map((c) => c.cpu)).toEqual([0, 1]);
    expect(t.nodes[0]?.memoryMiB).toBeGreaterThan(1500);
    expect(t.nodes[0]?.distances).toEqual([10]);
  });

  it('reads the physinfo the xl info card shows', async () => {
    const p = await host.physinfo();
    expect(p).toMatchObject({ nrCpus: 2, maxCpuId: 1, nrNodes: 1 });
    expect(p.capabilities).toContain('pv');
    expect(p.freePages).toBeLessThan(p.totalPages);
  });

  it('clears the hypervisor console ring with xl dmesg -c', async () => {
    // the checks before this one have left lines in the ring (cpupool changes at least)
    const before = await host.dmesg();
    expect(before).toMatch(/^\(XEN\) /m);
    expect(await host.dmesg({ clear: true })).toBe(before);
    expect(await host.dmesg()).toBe('');
  });
});
