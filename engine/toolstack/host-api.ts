/**
 * The toolstack façade: what every client (GUI services, `xl`, tests, benchmarks) may
 * ask of a Xen host, embedded or real. It plays libxl's role (tools/libs/light) — a
 * domain is named by domid or by name, as `xl` accepts either — and its errors are
 * ToolstackError. Every method leaves the host as it was when it fails.
 */
import type { XenstoreListing } from './host-xenstore';
import type {
  CpupoolSummary,
  CpuPolicySummary,
  CreateDomainRequest,
  CreateDomainResult,
  DomainSchedInfo,
  DomainSchedParamsT,
  DomainSummary,
  HostKind,
  HostSummary,
  HostTopology,
  HostSample,
  DomainSample,
  PoolSchedInfoT,
  PoolSchedParamsT,
  SchedulerNameT,
  ToolstackEvent,
  VcpuSchedParamsT,
  VcpuSummary,
  DomainDevices,
 } from './types';
import type { ConsoleStream } from './console-stream';
import type { SaveOptions, SaveResult } from './migration/domain-save';
import type { RestoreOptions, RestoreResult } from './migration/domain-restore';
import type { CoreDumpResult } from './coredump/domain-dumpcore';

/** A domain as xl names it: a domid, or a name (libxl_domain_qualifier_to_domid). */
export type DomainRef = number | string;

/** libxl_trigger's names (`xl trigger`). */
export const TRIGGERS = ['power', 'sleep', 'nmi', 'init', 'reset', 's3resume'] as const;
export type TriggerName = (typeof TRIGGERS)[number];

export interface ShutdownOptions {
  /** `xl reboot` rather than `xl shutdown`. */
  reboot?: boolean;
}

export interface ToolstackHost {
  readonly id: string;
  readonly kind: HostKind;
  summary(): Promise<HostSummary>;
  listDomains(): Promise<DomainSummary[]>;
  domain(ref: DomainRef): Promise<DomainSummary>;
  createDomain(req: CreateDomainRequest): Promise<CreateDomainResult>;
  /**
   * A sparse raw disk image in dom0 unless one is there ('kept'); only hosts whose dom0
   * filesystem XenDeck reaches have it (main/services/disk-images.ts does the lab's).
   */
  makeDiskImage?(path: string, sizeMiB: number): Promise<'created' | 'kept'>;
  removeDiskImage?(path: string): Promise<void>;
  pause(ref: DomainRef): Promise<void>;
  unpause(ref: DomainRef): Promise<void>;
  shutdown(ref: DomainRef, opts?: ShutdownOptions): Promise<void>;
  destroy(ref: DomainRef): Promise<void>;
  /** `xl dmesg [-c]`: the hypervisor console ring. */
  dmesg(opts?: { clear?: boolean }): Promise<string>;
  /** `xl debug-keys KEYS`: each key to Xen's keyhandler; what it prints goes to dmesg. */
  debugKeys(keys: string): Promise<void>;
  /** Cumulative CPU counters now (the statistics service turns two samples into rates). */
  sample(): Promise<HostSample>;
  /** One domain's cumulative scheduling counters (runstate times, wake-up latency). */
  domainSample(ref: DomainRef): Promise<DomainSample>;
  /** One level of the host's xenstore (`xenstore-ls`): the node and its children. */
  xenstoreList(path: string): Promise<XenstoreListing>;
  /**
   * A xenstore watch on `path` (xs_watch): `fire` gets the path of every change at or
   * below it, the first at once (xenstored fires a new watch); returns the unwatch.
   * Hosts that cannot watch (a client of another XenDeck) leave it out.
   */
  watchXenstore?(path: string, fire: (eventPath: string) => void): () => void;
  /** The host's CPUID policy, or a domain's (what its guest sees). */
  cpuPolicy(ref?: DomainRef): Promise<CpuPolicySummary>;
  /** `xl info -n`: pCPU topology and NUMA nodes. */
  topology(): Promise<HostTopology>;
  /** `xl block-list` / `xl network-list`: the domain's vbds and vifs with their xenbus state. */
  domainDevices(ref: DomainRef): Promise<DomainDevices>;
  /**
   * `xl block-attach DOMAIN DISKSPEC...`: the disk (xl's disk spec, xl-disk-configuration(5))
   * hot-plugged into the running domain; its frontend connects through xenbus.
   */
  blockAttach(ref: DomainRef, spec: string[]): Promise<void>;
  /** `xl block-detach [-f] DOMAIN VDEV`: the guest lets go (Closing, Closed), then the nodes go. */
  blockDetach(ref: DomainRef, vdev: string, opts?: { force?: boolean }): Promise<void>;
  /** `xl network-attach DOMAIN [KEY=VALUE...]` (xl-network-configuration(5)); xl's warnings returned. */
  networkAttach(ref: DomainRef, args: string[]): Promise<{ warnings: string[] }>;
  /** `xl network-detach DOMAIN DEVID|MAC`. */
  networkDetach(ref: DomainRef, dev: string): Promise<void>;
  /** `xl trigger DOMAIN TRIGGER [VCPU]`: libxl_send_trigger (XEN_DOMCTL_sendtrigger). */
  sendTrigger(ref: DomainRef, trigger: TriggerName, vcpu?: number): Promise<void>;
  /** `xl sysrq DOMAIN KEY`: libxl_send_sysrq (~/control/sysrq), which the guest's kernel handles. */
  sendSysrq(ref: DomainRef, key: string): Promise<void>;
  /** The xl.cfg a domain was created from, when this toolstack created it (null otherwise). */
  domainConfigText(ref: DomainRef): Promise<{ text: string; file: string } | null>;
  /** `xl vcpu-list [domain]`. */
  vcpuList(ref?: DomainRef): Promise<VcpuSummary[]>;
  /** `xl cpupool-list`. */
  listCpupools(): Promise<CpupoolSummary[]>;
  /** `xl cpupool-create`: a pool with its own scheduler over free pCPUs. */
  createCpupool(name: string, sched: SchedulerNameT, cpus: number[]): Promise<CpupoolSummary>;
  /** `xl cpupool-destroy`: only a pool without domains. */
  destroyCpupool(pool: string): Promise<void>;
  /** `xl cpupool-cpu-add` / `cpupool-cpu-remove`. */
  cpupoolAddCpus(pool: string, cpus: number[]): Promise<void>;
  cpupoolRemoveCpus(pool: string, cpus: number[]): Promise<void>;
  renameCpupool(pool: string, name: string): Promise<void>;
  /** `xl cpupool-migrate`. */
  migrateToCpupool(ref: DomainRef, pool: string): Promise<void>;
  /** `xl sched-<sched> -d`: the domain's scheduler and its parameters. */
  domainSched(ref: DomainRef): Promise<DomainSchedInfo>;
  /** `xl sched-<sched> -d D -w/-c/-p/-b`; `expect` makes a wrong scheduler an error, as xl's sched-* commands do. */
  setDomainSched(ref: DomainRef, params: DomainSchedParamsT, expect?: SchedulerNameT): Promise<void>;
  /** `xl sched-credit -s -p POOL` and friends. */
  poolSched(pool: string): Promise<PoolSchedInfoT>;
  setPoolSched(pool: string, params: PoolSchedParamsT): Promise<void>;
  /**
   * `xl rename`: libxl_domain_rename — the new name must be free; xenstore's
   * /local/domain/N/name and /vm/<uuid>/name change (and the lab's xl.cfg file follows).
   */
  renameDomain(ref: DomainRef, newName: string): Promise<void>;
  /**
   * `xl mem-set`: libxl_set_memory_target(enforce) — at most memory/static-max; sets the
   * hypervisor's max_pages to it and writes memory/target, which the guest's balloon
   * driver then follows over time (memoryMiB moves toward targetMemoryMiB).
   */
  setMemoryTarget(ref: DomainRef, targetKiB: number): Promise<void>;
  /**
   * `xl vcpu-set`: libxl_set_vcpuonline with vCPUs 0..count-1 — cpu/N/availability in
   * xenstore, which the guest follows (VCPUOP_up / VCPUOP_down); 1..max vCPUs.
   */
  setOnlineVcpus(ref: DomainRef, count: number): Promise<void>;
  /** `xl sched-rtds -d D -v N ...`: libxl_vcpu_sched_params_set, all given vCPUs or none. */
  setVcpuSched(ref: DomainRef, vcpus: VcpuSchedParamsT[]): Promise<void>;
  /**
   * `xl save [-c] [-p] DOMAIN FILE`: the domain into an xl save file (xl header, libxl
   * and libxc stream v2) at FILE, a path on the machine the toolstack runs on; the
   * domain is destroyed after, unless checkpoint (-c) or paused (-p).
   */
  save(ref: DomainRef, file: string, opts?: SaveOptions): Promise<SaveResult>;
  /** `xl restore [-p] FILE`: a domain back from an xl save file (config from the file unless given). */
  restore(file: string, opts?: RestoreOptions): Promise<RestoreResult>;
  /**
   * `xl dump-core DOMAIN FILE`: libxl_domain_core_dump — the domain's memory and vCPU
   * state as a xen dump-core ELF file (docs/misc/dump-core-format.txt) at FILE, a path on
   * the machine the toolstack runs on; the domain keeps running.
   */
  coreDump(ref: DomainRef, file: string): Promise<CoreDumpResult>;
  /** `xl console`: a domain's console (hosts that have none leave it out). */
  console?(ref: DomainRef): Promise<ConsoleStream>;
  /** Events in the order they happened; returns the unsubscribe function. */
  subscribe(listener: (e: ToolstackEvent) => void): () => void;
  close(): Promise<void>;
}
