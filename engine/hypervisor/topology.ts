/**
 * The pCPU topology of a simulated host: sockets x cores x threads, NUMA nodes with
 * their memory and distances, and each pCPU's APIC id.
 *
 * What Xen reports of it: XEN_SYSCTL_physinfo (nr_cpus, max_cpu_id, nr_nodes,
 * cores_per_socket, threads_per_core, cpu_khz: the `xl info` fields), and
 * XEN_SYSCTL_topologyinfo / numainfo (per-cpu core, socket and node; node memory and the
 * distance matrix: `xl info -n`). Xen numbers pCPUs in enumeration order; we enumerate
 * socket by socket, core by core, thread by thread, as firmware usually lists them.
 *
 * APIC ids: xAPIC ids are 8 bits, 0xff being broadcast, so a host with more than 255
 * pCPUs needs x2APIC (32-bit ids) — hardware without it cannot address them, and Xen
 * supports up to 4096 pCPUs on x86 (SUPPORT.md). The id is composed as the SDM describes
 * it (Vol. 3A 8.9.1): thread bits, then core bits, then package bits, each field the
 * width of the next power of two.
 */
import { XenError } from './errno';

/** Xen's x86 limit on host pCPUs (NR_CPUS default 4096; SUPPORT.md). */
export const MAX_HOST_PCPUS = 4096;
/** The largest pCPU count xAPIC's 8-bit ids can address (0xff is broadcast). */
export const XAPIC_MAX_PCPUS = 255;
/** Xen's MAX_NUMNODES on x86 (NODES_SHIFT 6). */
export const MAX_NUMNODES = 64;

export interface TopologySpec {
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  /** NUMA nodes; sockets are divided evenly between them. Default: one per socket. */
  nodes?: number;
  /** Host memory in MiB, divided evenly between nodes. */
  memoryMiB: number;
  /** Whether the platform has x2APIC (needed above 255 pCPUs). */
  x2apic: boolean;
}

export class Topology {
  readonly nrCpus: number;
  readonly sockets: number;
  readonly coresPerSocket: number;
  readonly threadsPerCore: number;
  readonly nrNodes: number;
  readonly x2apic: boolean;
  /** Per pCPU: core id within its socket (Xen's cpu_to_core), socket, NUMA node, APIC id. */
  readonly cpuCore: Int32Array;
  readonly cpuSocket: Int32Array;
  readonly cpuNode: Int32Array;
  readonly apicId: Uint32Array;
  /** Per node: memory in MiB; distances as the ACPI SLIT gives them (10 local). */
  readonly nodeMemoryMiB: number[];
  readonly nodeDistance: number[][];

  constructor(spec: TopologySpec) {
    const { sockets, coresPerSocket, threadsPerCore } = spec;
    for (const [name, v] of [
      ['sockets', sockets],
      ['cores per socket', coresPerSocket],
      ['threads per core', threadsPerCore],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new XenError('EINVAL', `${name} must be a positive integer, got ${v}`);
    }
    const nrCpus = sockets * coresPerSocket * threadsPerCore;
    if (nrCpus > MAX_HOST_PCPUS) {
      throw new XenError('EINVAL', `${nrCpus} pCPUs exceed Xen's limit of ${MAX_HOST_PCPUS} on x86`);
    }
    if (nrCpus > XAPIC_MAX_PCPUS && !spec.x2apic) {
      throw new XenError(
        'EINVAL',
        `${nrCpus} pCPUs need x2APIC: xAPIC ids address at most ${XAPIC_MAX_PCPUS} CPUs`,
        'enable x2APIC on the host (its CPUs must support it)',
      );
    }
    const nodes = spec.nodes ?? sockets;
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NUMNODES || sockets % nodes !== 0) {
      throw new XenError(
        'EINVAL',
        `${nodes} NUMA nodes do not divide ${sockets} sockets evenly (1-${MAX_NUMNODES} nodes)`,
      );
    }
    if (!(spec.memoryMiB > 0)) throw new XenError('EINVAL', `host memory must be > 0 MiB, got ${spec.memoryMiB}`);

    this.nrCpus = nrCpus;
    this.sockets = sockets;
    this.coresPerSocket = coresPerSocket;
    this.threadsPerCore = threadsPerCore;
    this.nrNodes = nodes;
    this.x2apic = spec.x2apic;
    this.cpuCore = new Int32Array(nrCpus);
    this.cpuSocket = new Int32Array(nrCpus);
    this.cpuNode = new Int32Array(nrCpus);
    this.apicId = new Uint32Array(nrCpus);

    const threadBits = bitsFor(threadsPerCore);
    const coreBits = bitsFor(coresPerSocket);
    const socketsPerNode = sockets / nodes;
    let cpu = 0;
    for (let s = 0; s < sockets; s++) {
      for (let c = 0; c < coresPerSocket; c++) {
        for (let t = 0; t < threadsPerCore; t++) {
          this.cpuCore[cpu] = c;
          this.cpuSocket[cpu] = s;
          this.cpuNode[cpu] = Math.floor(s / socketsPerNode);
          this.apicId[cpu] = ((s << coreBits) | c) * (1 << threadBits) + t;
          cpu++;
        }
      }
    }
    if (!spec.x2apic && this.apicId[nrCpus - 1]! >= 0xff) {
      throw new XenError('EINVAL', `APIC id ${this.apicId[nrCpus - 1]} does not fit xAPIC's 8 bits; enable x2APIC`);
    }
    const perNode = Math.floor(spec.memoryMiB / nodes);
    this.nodeMemoryMiB = Array.from({ length: nodes }, (_, i) =>
      i === nodes - 1 ? spec.memoryMiB - perNode * (nodes - 1) : perNode,
    );
    // SLIT-like distances: 10 local, 21 one hop (Linux/Xen's REMOTE_DISTANCE is 20;
    // real two-socket SLITs report 21), 31 beyond on larger glueless systems.
    this.nodeDistance = Array.from({ length: nodes }, (_, a) =>
      Array.from({ length: nodes }, (_, b) => (a === b ? 10 : Math.abs(a - b) === 1 || nodes <= 2 ? 21 : 31)),
    );
  }

  /** Xen's max_cpu_id: the highest pCPU number. */
  get maxCpuId(): number {
    return this.nrCpus - 1;
  }

  get memoryMiB(): number {
    return this.nodeMemoryMiB.reduce((a, b) => a + b, 0);
  }

  /** The pCPUs of one NUMA node (for cpus="nodes:N" and cpupool-numa-split). */
  cpusOfNode(node: number): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.nrCpus; c++) if (this.cpuNode[c] === node) out.push(c);
    return out;
  }
}

function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}
