import { describe, expect, it } from 'vitest';
import { Topology } from '../../../engine/hypervisor/topology';
import { HOST_PRESETS } from '../../../engine/hypervisor/host-presets';
import { XenError } from '../../../engine/hypervisor/errno';

describe('Topology', () => {
  it('enumerates pCPUs socket by socket with core, node and APIC ids', () => {
    const t = new Topology({ sockets: 2, coresPerSocket: 3, threadsPerCore: 2, memoryMiB: 8192, x2apic: false });
    expect(t.nrCpus).toBe(12);
    expect(t.maxCpuId).toBe(11);
    expect(Array.from(t.cpuSocket)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(t.cpuCore.slice(0, 6))).toEqual([0, 0, 1, 1, 2, 2]);
    // 1 thread bit, 2 core bits: socket 1 core 0 thread 1 is (1<<2|0)<<1|1 = 9
    expect(t.apicId[7]).toBe(9);
    expect(t.cpusOfNode(1)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(t.nodeDistance).toEqual([
      [10, 21],
      [21, 10],
    ]);
    expect(t.memoryMiB).toBe(8192);
  });

  it('refuses more than 255 pCPUs without x2APIC, as the hardware would', () => {
    const spec = { sockets: 4, coresPerSocket: 32, threadsPerCore: 2, memoryMiB: 1024, x2apic: false };
    expect(() => new Topology(spec)).toThrowError(/need x2APIC/);
    try {
      new Topology(spec);
    } catch (e) {
      expect(e).toBeInstanceOf(XenError);
      expect((e as XenError).code).toBe('EINVAL');
    }
    expect(new Topology({ ...spec, x2apic: true }).nrCpus).toBe(256);
  });

  it('refuses more pCPUs than Xen supports and uneven NUMA splits', () => {
    expect(() => new Topology({ sockets: 64, coresPerSocket: 65, threadsPerCore: 1, memoryMiB: 1, x2apic: true })).toThrowError(
      /exceed Xen's limit of 4096/,
    );
    expect(() => new Topology({ sockets: 3, coresPerSocket: 1, threadsPerCore: 1, nodes: 2, memoryMiB: 1, x2apic: false })).toThrowError(
      /do not divide/,
    );
  });

  it('builds every preset, the largest with 4095 pCPUs and unique x2APIC ids', () => {
    for (const p of HOST_PRESETS) {
      const t = new Topology(p.topology);
      expect(new Set(t.apicId).size).toBe(t.nrCpus);
    }
    const big = new Topology(HOST_PRESETS.find((p) => p.id === 'x2apic-4095')!.topology);
    expect(big.nrCpus).toBe(4095);
    expect(Math.max(...big.apicId)).toBeGreaterThan(255);
  });
});
