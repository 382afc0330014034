/**
 * A simulated Xen host: the pieces of the hypervisor tied together and reached through
 * one entry point, `hypercall()`, as the toolstack reaches Xen through privcmd.
 *
 * Boot follows Xen's order (xen/arch/x86/setup.c __start_xen): the console ring comes
 * up, the CPUs and NUMA nodes are enumerated, the heap gets every frame, then dom0 is
 * built with dom0_mem and dom0_max_vcpus (docs/misc/xen-command-line.pandoc).
 *
 * Scheduling: CPU pools, each with its own scheduler (engine/hypervisor/sched). Pool-0
 * gets every pCPU and dom0 at boot; domains are created into Pool-0; pause/unpause and
 * shutdown put their vCPUs to sleep or wake them; the pCPUs' dispatch loops run on the
 * simulated Clock (`xen.clock.runFor(...)` advances the host).
 *
 * Deterministic: time from the simulated Clock, randomness (uuids) from the seeded Rng.
 * A failed hypercall throws XenError and changes nothing.
 */
import { debugKeys, type KeyhandlerHost } from './keyhandler';
import { Clock } from './clock';
import { CPU_FEATURES, CpuPolicies, type CpuFeature, type CpuPolicy } from './cpuid-policy';
import { ConsoleRing } from './conring';
import { CpuMask } from './cpumask';
import type { Vcpu } from './vcpu';
import { Domain, DOMID_MAX_DOMU, type DomainType, type ShutdownReason } from './domain';
import { XenError } from './errno';
import { Kconfig } from './kconfig';
import { PageHeap, MAX_ORDER } from './mm/heap';
import { P2m } from './mm/p2m';
import { FrameStore } from './mm/frame-store';
import { ForeignMemory } from './mm/foreign-memory';
import { LogDirty, type LogDirtyStats } from './mm/log-dirty';
import { Rng } from './rng';
import { Topology, type TopologySpec } from './topology';
import { XenEventStream } from './trace';
import { CpuPools, type PoolInfo } from './sched/cpupool';
import { Credit2Scheduler, type Credit2RunqueueKind } from './sched/credit2';
import type { DomainSchedMetrics, PcpuSchedMetrics, PoolSchedMetrics, VcpuSchedMetrics } from './sched/metrics';
import { SCHEDULER_DESC, type DomainSchedOp, type DomainSchedResult, type PoolSchedOp, type PoolSchedParams, type SchedulerName } from './sched/scheduler';
import type { Unit } from './sched/core';
import type { WorkloadSpec } from './sched/workload';
import type { Runstate } from './sched-hooks';

export const XEN_VERSION = { major: 4, minor: 17, extra: '.0-xendeck' } as const;
import { PAGE_KIB } from './page';
export { PAGE_KIB };

export interface XenBootOptions {
  seed: number;
  topology: TopologySpec;
  cpuMhz?: number;
  /** dom0_mem in MiB (default 1024, or the whole host if smaller). */
  dom0MemMiB?: number;
  /** dom0_max_vcpus (default: every pCPU, at most 4 to keep dom0 small, as labs do). */
  dom0MaxVcpus?: number;
  kconfig?: Record<string, boolean>;
  /** The CPU (vendor, family, model, CPUID features); default a Skylake-SP with every feature. */
  cpu?: { vendor: 'GenuineIntel' | 'AuthenticAMD'; family: number; model: number; features: CpuFeature[] };
  /** sched= (default credit2, Xen's CONFIG_SCHED_DEFAULT since 4.12). */
  sched?: SchedulerName;
  /** credit2_runqueue= (default socket). */
  credit2Runqueue?: Credit2RunqueueKind;
  /** sched_credit2_max_cpus_runqueue= (default 16). */
  credit2MaxCpusRunqueue?: number;
}

/** XEN_DOMCTL_getvcpuinfo plus the affinities `xl vcpu-list` prints. */
export interface VcpuInfo {
  vcpu: number;
  online: boolean;
  blocked: boolean;
  running: boolean;
  runstate: Runstate;
  /** ns */
  cpuTime: number;
  cpu: number;
  hardAffinity: string;
  softAffinity: string;
  /** vcpu_runstate_info.time[] (ns in running, runnable, blocked, offline), which Xen keeps per vCPU. */
  runstateTime: Record<Runstate, number>;
}

export interface SchedMetrics {
  pools: PoolSchedMetrics[];
  domains: DomainSchedMetrics[];
  pcpus?: PcpuSchedMetrics[];
  vcpus?: VcpuSchedMetrics[];
}

/** Per-domain memory bookkeeping (struct domain: max_pages, tot_pages; the p2m). */
interface DomainMemory {
  maxPages: number;
  p2m: P2m;
  /** Blocks from the heap backing the guest: [mfn, order, first gfn]. */
  extents: [number, number, number][];
  nextGfn: number;
  logDirty: LogDirty;
}

/** XEN_DOMCTL_SHADOW_OP_* that the log-dirty machinery answers (public/domctl.h). */
export type ShadowOp = 'off' | 'enable_logdirty' | 'clean' | 'peek';

export interface DomainInfo {
  domid: number;
  uuid: string;
  name: string;
  type: DomainType;
  flags: { running: boolean; blocked: boolean; paused: boolean; shutdown: boolean; dying: boolean; crashed: boolean };
  shutdownReason: ShutdownReason | undefined;
  totPages: number;
  maxPages: number;
  nrOnlineVcpus: number;
  maxVcpuId: number;
  /** ns of CPU time, all vCPUs. */
  cpuTime: number;
  cpupoolId: number;
}

/** One entry of XEN_SYSCTL_numainfo (xen_sysctl_meminfo + the distance row). */
export interface NumaNodeInfo {
  node: number;
  memsizePages: number;
  memfreePages: number;
  distances: number[];
}

export interface Physinfo {
  threadsPerCore: number;
  coresPerSocket: number;
  nrCpus: number;
  maxCpuId: number;
  nrNodes: number;
  maxNodeId: number;
  cpuKhz: number;
  totalPages: number;
  freePages: number;
  capabilities: string[];
}

export type Hypercall =
  /** `uuid`: xen_domctl_createdomain.handle, as libxl passes c_info.uuid (a restore keeps the saved one). */
  | { op: 'domctl.createdomain'; type: DomainType; maxVcpus: number; name?: string; uuid?: string }
  | { op: 'domctl.destroydomain'; domid: number }
  | { op: 'domctl.pausedomain'; domid: number }
  | { op: 'domctl.unpausedomain'; domid: number }
  | { op: 'domctl.getdomaininfo'; domid: number }
  | { op: 'domctl.max_mem'; domid: number; maxKiB: number }
  | { op: 'domctl.shutdown'; domid: number; reason: ShutdownReason }
  /** XEN_DOMCTL_soft_reset: a shut-down domain runs again in place (on_soft_reset="soft-reset"). */
  | { op: 'domctl.soft_reset'; domid: number }
  | { op: 'domctl.setvcpuaffinity'; domid: number; vcpu: number; hard?: number[]; soft?: number[] }
  /** `gfn`: populate from that gfn (extent_start as libxc's restore passes it), else after the highest. */
  | { op: 'memory_op.populate_physmap'; domid: number; pages: number; gfn?: number }
  /** XEN_DOMCTL_shadow_op for log-dirty: `pages` bits for clean / peek; `bitmap: false` as a NULL handle (stats only). */
  | { op: 'domctl.shadow_op'; domid: number; shadowOp: ShadowOp; pages?: number; bitmap?: boolean }
  /** xenforeignmemory_map of the whole guest (privcmd in dom0): the toolstack's access to guest frames. */
  | { op: 'privcmd.map_foreign'; domid: number }
  | { op: 'memory_op.decrease_reservation'; domid: number; pages: number }
  /** VCPUOP_up / VCPUOP_down (public/vcpu.h): the guest brings a vCPU online or takes it offline. */
  | { op: 'vcpu_op.up'; domid: number; vcpu: number }
  | { op: 'vcpu_op.down'; domid: number; vcpu: number }
  /**
   * Simulator only: Xen keeps no domain name (it lives in xenstore, /local/domain/N/name);
   * this engine caches it in struct domain so getdomaininfo can answer, and the toolstack
   * updates the cache when libxl_domain_rename rewrites the node.
   */
  | { op: 'sim.set_name'; domid: number; name: string }
  | { op: 'sysctl.physinfo' }
  | { op: 'sysctl.numainfo' }
  | { op: 'sysctl.getdomaininfolist' }
  | { op: 'sysctl.readconsole'; clear?: boolean }
  /** XEN_SYSCTL_debug_keys: each character as a keypress on the hypervisor console (keyhandler.ts). */
  | { op: 'sysctl.debug_keys'; keys: string }
  /** XEN_SYSCTL_get_cpu_policy: the host's policy or the most a PV / HVM guest may have. */
  | { op: 'sysctl.get_cpu_policy'; index: 'host' | 'pv_max' | 'hvm_max' }
  | { op: 'domctl.get_cpu_policy'; domid: number }
  /** XEN_DOMCTL_set_cpu_policy: only a subset of the max for the domain's type. */
  | { op: 'domctl.set_cpu_policy'; domid: number; features: string[] }
  | { op: 'domctl.getvcpuinfo'; domid: number }
  | ({ op: 'domctl.scheduler_op'; domid: number; sched?: SchedulerName } & DomainSchedOp)
  | ({ op: 'sysctl.scheduler_op'; poolId: number; sched?: SchedulerName } & PoolSchedOp)
  | { op: 'sysctl.cpupool_op.create'; name: string; sched?: SchedulerName; cpus?: number[]; poolId?: number }
  | { op: 'sysctl.cpupool_op.destroy'; poolId: number }
  | { op: 'sysctl.cpupool_op.info'; poolId: number }
  | { op: 'sysctl.cpupool_op.list' }
  | { op: 'sysctl.cpupool_op.addcpu'; poolId: number; cpus: number[] }
  | { op: 'sysctl.cpupool_op.rmcpu'; poolId: number; cpus: number[] }
  | { op: 'sysctl.cpupool_op.movedomain'; poolId: number; domid: number }
  | { op: 'sysctl.cpupool_op.rename'; poolId: number; name: string }
  | { op: 'sysctl.cpupool_op.freeinfo' }
  /** Simulator only: what the guest's vCPUs do (the guest model drives this). */
  | { op: 'sim.set_workload'; domid: number; vcpu: number | 'all'; workload: WorkloadSpec }
  /**
   * Simulator only: a credit2 pool's runqueue arrangement (credit2_runqueue=, a boot
   * parameter) and each runqueue's pCPUs — what Xen prints for debug-key 'r'.
   */
  | { op: 'sim.credit2_runqueues'; poolId: number }
  /** Simulator only: scheduling metrics for the CLI and GUI. */
  /** `domains: false`: no per-domain figures (a host-wide sampler with 10,000 domains wants only the pCPUs). */
  | { op: 'sim.sched_metrics'; domid?: number; pcpus?: boolean; vcpus?: boolean; domains?: boolean; pools?: boolean };

export type HypercallResult<H extends Hypercall> = H extends { op: 'domctl.createdomain' }
  ? { domid: number; uuid: string }
  : H extends { op: 'domctl.getdomaininfo' }
    ? DomainInfo
    : H extends { op: 'sysctl.numainfo' }
      ? NumaNodeInfo[]
    : H extends { op: 'sysctl.physinfo' }
      ? Physinfo
      : H extends { op: 'sysctl.getdomaininfolist' }
        ? DomainInfo[]
        : H extends { op: 'sysctl.readconsole' }
          ? { text: string }
          : H extends { op: 'domctl.shadow_op' }
            ? { bitmap?: Uint8Array; stats: LogDirtyStats }
            : H extends { op: 'privcmd.map_foreign' }
              ? ForeignMemory
              : H extends { op: 'memory_op.populate_physmap' | 'memory_op.decrease_reservation' }
            ? { pages: number }
            : H extends { op: 'domctl.getvcpuinfo' }
              ? VcpuInfo[]
              : H extends { op: 'domctl.scheduler_op' }
                ? DomainSchedResult
                : H extends { op: 'sysctl.scheduler_op' }
                  ? PoolSchedParams
                  : H extends { op: 'sysctl.cpupool_op.create' }
                    ? { poolId: number }
                    : H extends { op: 'sysctl.cpupool_op.info' }
                      ? PoolInfo
                      : H extends { op: 'sysctl.cpupool_op.list' }
                        ? PoolInfo[]
                        : H extends { op: 'sysctl.cpupool_op.freeinfo' }
                          ? { cpus: number[] }
                          : H extends { op: 'sim.sched_metrics' }
                              ? SchedMetrics
                              : H extends { op: 'sysctl.get_cpu_policy' | 'domctl.get_cpu_policy' }
                                ? CpuPolicy
                                : H extends { op: 'sim.credit2_runqueues' }
                                  ? Credit2Arrangement
                                  : Record<string, never>;

/** A credit2 pool's runqueues (sim.credit2_runqueues). */
export interface Credit2Arrangement {
  kind: Credit2RunqueueKind;
  maxCpusRunqueue: number;
  runqueues: { id: number; cpus: number[] }[];
}

export class Xen {
  readonly clock = new Clock();
  readonly rng: Rng;
  readonly topology: Topology;
  readonly kconfig: Kconfig;
  readonly conring = new ConsoleRing();
  readonly heap: PageHeap;
  /** Machine frame contents, sparse (only frames written since their last scrub). */
  readonly frames = new FrameStore();
  readonly cpuKhz: number;
  /** CPU pools and their schedulers. */
  readonly pools: CpuPools;
  private readonly domains = new Map<number, Domain>();
  private readonly memory = new Map<number, DomainMemory>();
  /** CPUID policies: the host's and each domain's (set when it is created, narrowed by the toolstack). */
  readonly cpuPolicies: CpuPolicies;
  private readonly cpuPolicy = new Map<number, CpuPolicy>();
  private nextDomid = 1;
  /** Count of hypercalls served (for benchmarks). */
  hypercalls = 0;
  /** Domain life-cycle records and, on request, periodic runstate and host summaries. */
  readonly events: XenEventStream;

  /**
   * How many domains exist (the length getdomaininfolist would have). Not a hypercall: the
   * console's host summary counts with it instead of building every domain's record.
   */
  get nrDomains(): number {
    return this.domains.size;
  }

  private constructor(opts: XenBootOptions) {
    this.rng = new Rng(opts.seed);
    this.events = new XenEventStream({
      clock: this.clock,
      runstateTotals: () => this.runstateTotals(),
      hostCounters: () => ({ nrCpus: this.topology.nrCpus, nrDomains: this.domains.size, freePages: this.heap.freePages(), totalPages: this.heap.totalPages() }),
    });
    this.kconfig = new Kconfig(opts.kconfig ?? {});
    this.conring.printk(`Xen version ${XEN_VERSION.major}.${XEN_VERSION.minor}${XEN_VERSION.extra} (XenDeck simulated host)`);
    this.topology = new Topology(opts.topology);
    const t = this.topology;
    this.cpuKhz = (opts.cpuMhz ?? 2000) * 1000;
    this.cpuPolicies = new CpuPolicies({ vendor: opts.cpu?.vendor ?? 'GenuineIntel', family: opts.cpu?.family ?? 6, model: opts.cpu?.model ?? 0x55, features: opts.cpu?.features ?? [...CPU_FEATURES], tscKhz: this.cpuKhz });
    this.conring.printk(`${t.x2apic ? 'x2APIC mode is enabled' : 'Using xAPIC'}; ${t.nrCpus} CPUs, ${t.nrNodes} NUMA node(s)`);
    this.heap = new PageHeap(t.nodeMemoryMiB.map((mib) => (mib * 1024) / PAGE_KIB));
    this.conring.printk(`System RAM: ${t.memoryMiB}MB (${t.memoryMiB * 1024}kB)`);
    this.pools = new CpuPools(this.clock, this.rng, t, {
      sched: opts.sched,
      kconfig: this.kconfig,
      credit2: { runqueue: opts.credit2Runqueue, maxCpusRunqueue: opts.credit2MaxCpusRunqueue },
    });
    if (opts.sched && opts.sched !== this.pools.defaultSched) this.conring.printk(`Could not find scheduler: ${opts.sched}`);
    this.conring.printk(`Using scheduler: ${SCHEDULER_DESC[this.pools.defaultSched]} (${this.pools.defaultSched})`);
    this.conring.printk(`Brought up ${t.nrCpus} CPUs`);
    const dom0Mem = Math.min(opts.dom0MemMiB ?? 1024, Math.floor(t.memoryMiB / 2));
    const dom0Vcpus = Math.min(opts.dom0MaxVcpus ?? Math.min(4, t.nrCpus), t.nrCpus);
    this.buildDomain(0, this.kconfig.enabled('PV') ? 'pv' : 'pvh', dom0Vcpus, 'Domain-0');
    this.populate(0, (dom0Mem * 1024) / PAGE_KIB);
    this.conring.printk(`*** LOADING DOMAIN 0 ***`);
    this.conring.printk(`Dom0 has maximum ${dom0Vcpus} VCPUs`);
    this.conring.printk(`Initial low memory virq threshold set at 0x4000 pages.`);
  }

  static boot(opts: XenBootOptions): Xen {
    return new Xen(opts);
  }

  /** The one entry point. Throws XenError with Xen's errno; a failed call changes nothing. */
  hypercall<H extends Hypercall>(h: H): HypercallResult<H> {
    this.hypercalls++;
    return this.dispatch(h) as HypercallResult<H>;
  }

  private dispatch(h: Hypercall): unknown {
    switch (h.op) {
      case 'domctl.createdomain': {
        this.kconfig.require(h.type === 'hvm' || h.type === 'pvh' ? 'HVM' : 'PV', `${h.type.toUpperCase()} guests`);
        const domid = this.allocDomid();
        if (h.uuid !== undefined && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(h.uuid)) throw new XenError('EINVAL', `bad domain handle ${h.uuid}`);
        const d = this.buildDomain(domid, h.type, h.maxVcpus, h.name ?? `(null)`, h.uuid);
        if (this.events.active) {
          this.events.emit({ kind: 'domain.created', at: this.clock.now, domid, uuid: d.uuid, name: d.name, type: d.type, maxVcpus: h.maxVcpus });
        }
        return { domid, uuid: d.uuid };
      }
      case 'domctl.destroydomain': {
        const d = this.domain(h.domid);
        if (h.domid === 0) throw new XenError('EINVAL', 'dom0 cannot be destroyed');
        d.kill();
        this.pools.removeDomain(d);
        const mem = this.memory.get(h.domid)!;
        for (const [mfn, order] of mem.extents) {
          this.frames.scrub(mfn, 2 ** order);
          this.heap.free(mfn, order);
        }
        d.markDestroyed();
        this.domains.delete(h.domid);
        this.memory.delete(h.domid);
        this.cpuPolicy.delete(h.domid);
        // VIRQ_DOM_EXC: the domain is gone
        if (this.events.active) this.events.emit({ kind: 'domain.destroyed', at: this.clock.now, domid: h.domid });
        return {};
      }
      case 'domctl.pausedomain': {
        const d = this.domain(h.domid);
        d.pause();
        for (const v of d.vcpus) this.pools.sleep(v);
        this.stateChanged(d);
        return {};
      }
      case 'domctl.unpausedomain': {
        const d = this.domain(h.domid);
        d.unpause();
        for (const v of d.vcpus) this.pools.wake(v);
        this.stateChanged(d);
        return {};
      }
      case 'domctl.getdomaininfo':
        return this.info(this.domain(h.domid));
      case 'domctl.max_mem': {
        const mem = this.memory.get(this.domain(h.domid).domid)!;
        if (!(h.maxKiB >= 0)) throw new XenError('EINVAL', `max_mem ${h.maxKiB} KiB`);
        mem.maxPages = Math.floor(h.maxKiB / PAGE_KIB);
        return {};
      }
      case 'domctl.shutdown': {
        const d = this.domain(h.domid);
        d.shutdown(h.reason);
        for (const v of d.vcpus) this.pools.sleep(v);
        // VIRQ_DOM_EXC: domain_shutdown() tells dom0
        this.stateChanged(d);
        return {};
      }
      case 'domctl.soft_reset': {
        const d = this.domain(h.domid);
        if (h.domid === 0) throw new XenError('EINVAL', 'dom0 cannot soft-reset itself');
        d.softReset();
        for (const v of d.vcpus) this.pools.wake(v);
        return {};
      }
      case 'domctl.setvcpuaffinity': {
        const d = this.domain(h.domid);
        const v = d.vcpus[h.vcpu];
        if (!v) throw new XenError('EINVAL', `domain ${h.domid} has no vCPU ${h.vcpu}`);
        const n = this.topology.nrCpus;
        const bad = [...(h.hard ?? []), ...(h.soft ?? [])].find((c) => !Number.isInteger(c) || c < 0 || c >= n);
        if (bad !== undefined) throw new XenError('EINVAL', `pCPU ${bad} does not exist (0-${n - 1})`);
        if (h.hard && h.hard.length === 0) throw new XenError('EINVAL', 'empty hard affinity');
        if (h.hard && !CpuMask.of(n, h.hard).intersects(this.pools.pool(d.cpupoolId).cpus)) {
          throw new XenError('EINVAL', `hard affinity ${CpuMask.of(n, h.hard).toString()} has no CPU in cpupool ${d.cpupoolId}`);
        }
        this.pools.setVcpuAffinity(v, h.hard ? CpuMask.of(n, h.hard) : null, h.soft ? CpuMask.of(n, h.soft) : null);
        return {};
      }
      case 'memory_op.populate_physmap':
        return { pages: this.populate(this.domain(h.domid).domid, h.pages, h.gfn) };
      case 'domctl.shadow_op': {
        const d = this.domain(h.domid);
        const ld = this.memory.get(d.domid)!.logDirty;
        switch (h.shadowOp) {
          case 'enable_logdirty':
            ld.enable(d.domid);
            return { stats: { faultCount: 0, dirtyCount: 0 } };
          case 'off':
            ld.disable();
            return { stats: { faultCount: 0, dirtyCount: 0 } };
          default:
            return ld.op(h.shadowOp, h.pages ?? this.memory.get(d.domid)!.p2m.gfnLimit, h.bitmap ?? true);
        }
      }
      case 'privcmd.map_foreign': {
        const d = this.domain(h.domid);
        const mem = this.memory.get(d.domid)!;
        return new ForeignMemory(d.domid, mem.p2m, this.frames, mem.logDirty);
      }
      case 'memory_op.decrease_reservation':
        return { pages: this.decrease(this.domain(h.domid).domid, h.pages) };
      case 'vcpu_op.up':
      case 'vcpu_op.down': {
        const d = this.domain(h.domid);
        const v = d.vcpus[h.vcpu];
        // VCPUOP_*: -ENOENT for a vCPU id the domain does not have (common/domain.c do_vcpu_op)
        if (!v) throw new XenError('ENOENT', `domain ${h.domid} has no vCPU ${h.vcpu}`);
        if (h.op === 'vcpu_op.up') this.vcpuUp(v);
        else this.vcpuDown(v);
        return {};
      }
      case 'sim.set_name':
        this.domain(h.domid).name = h.name;
        return {};
      case 'sysctl.numainfo':
        // XEN_SYSCTL_numainfo: per node its memory size and free memory (in pages) and distances
        return this.topology.nodeMemoryMiB.map((mib, node) => ({
          node,
          memsizePages: (mib * 1024) / PAGE_KIB,
          memfreePages: this.heap.freePages(node),
          distances: [...(this.topology.nodeDistance[node] ?? [])],
        }));
      case 'sysctl.physinfo':
        return this.physinfo();
      case 'sysctl.getdomaininfolist':
        return [...this.domains.values()].map((d) => this.info(d));
      case 'sysctl.readconsole':
        return { text: this.conring.read({ clear: h.clear ?? false }).text };
      case 'sysctl.debug_keys':
        debugKeys(this.keyhandlerHost(), h.keys);
        return {};
      case 'domctl.getvcpuinfo': {
        const d = this.domain(h.domid);
        const now = this.clock.now;
        return d.vcpus.map((v) => ({
          runstateTime: v.runstateInfo(now).time,
          vcpu: v.vcpuId,
          online: v.online,
          blocked: v.runstate === 'blocked',
          running: v.runstate === 'running',
          runstate: v.runstate,
          cpuTime: v.cpuTime(now),
          cpu: v.processor,
          hardAffinity: v.hardAffinity.toString(),
          softAffinity: v.softAffinity.toString(),
        }));
      }
      case 'domctl.scheduler_op': {
        const d = this.domain(h.domid);
        const { op: _op, domid: _domid, sched, ...sop } = h;
        return this.pools.adjustDomain(d, sop as DomainSchedOp, sched);
      }
      case 'sysctl.scheduler_op': {
        const { op: _op, poolId, sched, ...sop } = h;
        return this.pools.adjustGlobal(poolId, sop as PoolSchedOp, sched);
      }
      case 'sysctl.cpupool_op.create':
        return { poolId: this.pools.create(h.name, h.sched, h.cpus ?? [], h.poolId) };
      case 'sysctl.cpupool_op.destroy':
        this.pools.destroy(h.poolId);
        return {};
      case 'sysctl.cpupool_op.info':
        return this.pools.info(h.poolId);
      case 'sysctl.cpupool_op.list':
        return this.pools.list();
      case 'sysctl.cpupool_op.addcpu':
        this.pools.addCpu(h.poolId, h.cpus);
        return {};
      case 'sysctl.cpupool_op.rmcpu':
        this.pools.removeCpu(h.poolId, h.cpus);
        return {};
      case 'sysctl.cpupool_op.movedomain':
        this.pools.moveDomain(this.domain(h.domid), h.poolId);
        return {};
      case 'sysctl.cpupool_op.rename':
        this.pools.rename(h.poolId, h.name);
        return {};
      case 'sysctl.cpupool_op.freeinfo':
        return { cpus: this.pools.freeCpus() };
      case 'sim.set_workload':
        this.pools.setWorkload(this.domain(h.domid), h.vcpu, h.workload);
        return {};
      case 'sim.sched_metrics':
        return this.schedMetrics(h);
      case 'sim.credit2_runqueues': {
        const s = this.pools.pool(h.poolId).sched;
        if (!(s instanceof Credit2Scheduler)) throw new XenError('EINVAL', `cpupool ${h.poolId} does not run credit2`);
        return s.arrangement();
      }
      case 'sysctl.get_cpu_policy': {
        const p = h.index === 'host' ? this.cpuPolicies.host : h.index === 'pv_max' ? this.cpuPolicies.pvMax : this.cpuPolicies.hvmMax;
        return { ...p, features: [...p.features] };
      }
      case 'domctl.get_cpu_policy': {
        const p = this.cpuPolicy.get(this.domain(h.domid).domid)!;
        return { ...p, features: [...p.features] };
      }
      case 'domctl.set_cpu_policy': {
        const d = this.domain(h.domid);
        this.cpuPolicy.set(d.domid, this.cpuPolicies.derive(d.type, h.features));
        return {};
      }
    }
  }

  private keyhandlerHost(): KeyhandlerHost {
    return {
      conring: this.conring,
      now: () => this.clock.now,
      pools: this.pools,
      domains: () => [...this.domains.values()].sort((a, b) => a.domid - b.domid),
      pages: (domid) => {
        const mem = this.memory.get(domid)!;
        return { totPages: mem.p2m.stats.pages, maxPages: mem.maxPages };
      },
    };
  }

  private buildDomain(domid: number, type: DomainType, maxVcpus: number, name: string, uuid?: string): Domain {
    const d = new Domain(
      { domid, uuid: domid === 0 ? '00000000-0000-0000-0000-000000000000' : (uuid ?? this.rng.uuid()), name, type, maxVcpus, onlineVcpus: maxVcpus, nrCpus: this.topology.nrCpus },
      this.clock.now,
    );
    this.pools.insertDomain(d, 0);
    this.cpuPolicy.set(domid, this.cpuPolicies.derive(type));
    this.domains.set(domid, d);
    this.memory.set(domid, { maxPages: Number.MAX_SAFE_INTEGER, p2m: new P2m(), extents: [], nextGfn: 0, logDirty: new LogDirty() });
    return d;
  }

  /** Lowest free domid from a rolling cursor, as libxl's default allocation does. */
  private allocDomid(): number {
    for (let i = 0; i < DOMID_MAX_DOMU; i++) {
      const id = ((this.nextDomid - 1 + i) % DOMID_MAX_DOMU) + 1;
      if (!this.domains.has(id)) {
        this.nextDomid = id + 1;
        return id;
      }
    }
    throw new XenError('ENOSPC', 'no free domid');
  }

  /** populate_physmap: back `pages` more gfns, largest blocks first; all or nothing. */
  private populate(domid: number, pages: number, at?: number): number {
    if (!Number.isInteger(pages) || pages < 0) throw new XenError('EINVAL', `bad page count ${pages}`);
    const mem = this.memory.get(domid)!;
    if (at !== undefined) {
      if (!Number.isSafeInteger(at) || at < 0) throw new XenError('EINVAL', `bad gfn ${at}`);
      const taken = mem.p2m.firstMapped(at, pages);
      if (taken !== undefined) throw new XenError('EEXIST', `domain ${domid}: gfn 0x${taken.toString(16)} is already populated`);
    }
    const tot = mem.p2m.stats.pages;
    if (tot + pages > mem.maxPages) {
      throw new XenError('ENOMEM', `domain ${domid}: ${tot + pages} pages would exceed max_pages ${mem.maxPages}`);
    }
    if (pages > this.heap.freePages()) {
      throw new XenError('ENOMEM', `domain ${domid}: ${pages} pages asked, ${this.heap.freePages()} free on the host`);
    }
    const got: [number, number, number][] = [];
    let left = pages;
    let gfn = at ?? mem.nextGfn;
    try {
      while (left > 0) {
        let order = Math.min(MAX_ORDER, Math.floor(Math.log2(left)));
        // keep the gfn aligned like the block so the p2m can use a superpage
        while (order > 0 && gfn % 2 ** order !== 0) order--;
        let mfn: number | undefined;
        for (; order >= 0; order--) {
          try {
            mfn = this.heap.alloc(order);
            break;
          } catch (e) {
            if (!(e instanceof XenError) || e.code !== 'ENOMEM' || order === 0) throw e;
          }
        }
        got.push([mfn!, order, gfn]);
        gfn += 2 ** order;
        left -= 2 ** order;
      }
    } catch (e) {
      for (const [m, o] of got) this.heap.free(m, o);
      throw e;
    }
    for (const [m, o, g] of got) {
      mem.p2m.setRange(g, m, 2 ** o);
      mem.extents.push([m, o, g]);
    }
    // decrease_reservation gives back from the top: keep the extents in gfn order
    if (at !== undefined) mem.extents.sort((a, b) => a[2] - b[2]);
    mem.nextGfn = Math.max(mem.nextGfn, gfn);
    return pages;
  }

  /**
   * decrease_reservation: give back `pages` frames from the top of the guest's memory
   * (the balloon driver's order). An extent larger than what is left to free is split
   * in halves first — the buddy block is split in the heap and the p2m shatters the
   * superpage that maps it, as Xen's p2m does when a guest frees part of a 2M/1G page.
   */
  private decrease(domid: number, pages: number): number {
    if (!Number.isInteger(pages) || pages < 0) throw new XenError('EINVAL', `bad page count ${pages}`);
    const mem = this.memory.get(domid)!;
    let freed = 0;
    while (freed < pages && mem.extents.length > 0) {
      const [m, o, g] = mem.extents[mem.extents.length - 1]!;
      if (freed + 2 ** o > pages) {
        const half = 2 ** (o - 1);
        this.heap.split(m, o);
        mem.extents.pop();
        mem.extents.push([m, o - 1, g], [m + half, o - 1, g + half]);
        continue;
      }
      mem.extents.pop();
      mem.p2m.remove(g, o);
      this.frames.scrub(m, 2 ** o);
      this.heap.free(m, o);
      mem.nextGfn = g;
      freed += 2 ** o;
    }
    return freed;
  }

  /** VCPUOP_up: clear _VPF_down and wake it; a vCPU the guest has blocked stays blocked. */
  private vcpuUp(v: Vcpu): void {
    if (!v.down) return;
    v.down = false;
    if (v.blockedByGuest) v.setRunstate('blocked', this.clock.now);
    this.pools.wake(v);
  }

  /** VCPUOP_down: set _VPF_down and put it to sleep; its runstate becomes offline. */
  private vcpuDown(v: Vcpu): void {
    if (v.down) return;
    v.down = true;
    this.pools.sleep(v);
    if (v.runstate === 'blocked') v.setRunstate('offline', this.clock.now);
  }

  private domain(domid: number): Domain {
    const d = this.domains.get(domid);
    if (!d) throw new XenError('ESRCH', `domain ${domid} does not exist`);
    return d;
  }

  private info(d: Domain): DomainInfo {
    const mem = this.memory.get(d.domid)!;
    const now = this.clock.now;
    const online = d.vcpus.filter((v) => v.online);
    return {
      domid: d.domid,
      uuid: d.uuid,
      name: d.name,
      type: d.type,
      flags: {
        running: d.running,
        blocked: d.blocked,
        paused: d.paused,
        shutdown: d.life === 'shutdown',
        dying: d.life === 'dying',
        crashed: d.life === 'shutdown' && d.shutdownReason === 'crash',
      },
      shutdownReason: d.shutdownReason,
      totPages: mem.p2m.stats.pages,
      maxPages: mem.maxPages,
      nrOnlineVcpus: online.length,
      maxVcpuId: d.vcpus.length - 1,
      cpuTime: d.vcpus.reduce((a, v) => a + v.cpuTime(now), 0),
      cpupoolId: d.cpupoolId,
    };
  }

  private stateChanged(d: Domain): void {
    if (!this.events.active) return;
    const state = d.life === 'shutdown' ? 'shutdown' : d.life === 'active' ? (d.paused ? 'paused' : 'running') : 'dying';
    this.events.emit({
      kind: 'domain.state',
      at: this.clock.now,
      domid: d.domid,
      state,
      pauseCount: d.pauseCount,
      ...(d.shutdownReason && d.life === 'shutdown' ? { reason: d.shutdownReason } : {}),
    });
  }

  /** Each live domain's runstate times summed over its vCPUs, as of now. */
  private runstateTotals(): Map<number, Record<Runstate, number>> {
    const now = this.clock.now;
    const out = new Map<number, Record<Runstate, number>>();
    for (const d of this.domains.values()) {
      const sum = { running: 0, runnable: 0, blocked: 0, offline: 0 };
      for (const v of d.vcpus) {
        const t = v.runstateInfo(now).time;
        sum.running += t.running;
        sum.runnable += t.runnable;
        sum.blocked += t.blocked;
        sum.offline += t.offline;
      }
      out.set(d.domid, sum);
    }
    return out;
  }

  private schedMetrics(h: { domid?: number; pcpus?: boolean; vcpus?: boolean; domains?: boolean; pools?: boolean }): SchedMetrics {
    const doms = h.domid !== undefined ? [this.domain(h.domid)] : [...this.domains.values()];
    const out: SchedMetrics = {
      // pools: false for a caller that reads no pool figures: they walk every unit of every
      // pool (10,000 domains' vCPUs), which the console's 1 Hz samplers need not pay for
      pools: h.pools === false ? [] : this.pools.poolIds.map((id) => this.pools.poolMetrics(id)),
      domains: h.domains === false ? [] : doms.map((d) => this.pools.domainMetrics(d)),
    };
    if (h.pcpus) out.pcpus = Array.from({ length: this.topology.nrCpus }, (_, c) => this.pools.core.pcpuMetrics(c));
    if (h.vcpus) out.vcpus = doms.flatMap((d) => (d.vcpus.map((v) => v.schedPriv) as Unit[]).map((u) => this.pools.core.unitMetrics(u)));
    return out;
  }

  private physinfo(): Physinfo {
    const t = this.topology;
    return {
      threadsPerCore: t.threadsPerCore,
      coresPerSocket: t.coresPerSocket,
      nrCpus: t.nrCpus,
      maxCpuId: t.maxCpuId,
      nrNodes: t.nrNodes,
      maxNodeId: t.nrNodes - 1,
      cpuKhz: this.cpuKhz,
      totalPages: this.heap.totalPages(),
      freePages: this.heap.freePages(),
      capabilities: [
        ...(this.kconfig.enabled('PV') ? ['pv'] : []),
        ...(this.kconfig.enabled('HVM') ? ['hvm', 'hap'] : []),
      ],
    };
  }
}
