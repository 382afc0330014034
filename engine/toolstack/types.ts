/**
 * The plain data the toolstack hands to its clients: serialisable (it crosses IPC and
 * WebSocket as is), in Xen's units (MiB as `xl list` shows, seconds of CPU time), with
 * Xen's names. main/api/contract.ts holds the schemas that check these shapes on the wire.
 */
import type { LibxlUsbctrlJson, LibxlUsbdevJson } from './config/device-lists';
import type { LibxlDiskJson } from './config/disk-spec';
import type { YajlValue as LibxlJsonValue } from './config/libxl-json';
import type { LibxlPciJson } from './config/pci-spec';
import type { LibxlNicJson } from './config/vif-spec';

export type { LibxlDiskJson, LibxlNicJson, LibxlPciJson, LibxlUsbctrlJson, LibxlUsbdevJson, LibxlJsonValue };
export type HostKind = 'embedded' | 'remote';
export type DomainTypeName = 'pv' | 'pvh' | 'hvm';
/** xl.cfg(5) "Event actions" for on_poweroff / on_reboot / on_crash. */
export const SHUTDOWN_ACTIONS = ['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart', 'soft-reset'] as const;
export type ShutdownAction = (typeof SHUTDOWN_ACTIONS)[number];
export type ShutdownReasonName = 'poweroff' | 'reboot' | 'suspend' | 'crash' | 'watchdog' | 'soft_reset';

export interface HostSummary {
  id: string;
  kind: HostKind;
  /** The host name `xl info` prints. */
  hostname: string;
  xenVersion: string;
  /** A label for the hardware (preset label, or cpu model of a real host). */
  hardware: string;
  nrCpus: number;
  nrNodes: number;
  cpuMhz: number;
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  scheduler: string;
  nrDomains: number;
  /** Simulated time of an embedded host in ns (a real host reports 0). */
  nowNs: number;
  /** The unix socket of an embedded host's xenstored process (XENSTORED_PATH for Xen's tools). */
  xenstoredPath?: string;
}

export interface DomainSummary {
  domid: number;
  uuid: string;
  name: string;
  type: DomainTypeName;
  /** `xl list`'s State column, six letters r b p s c d or '-'. */
  state: string;
  shutdownReason: ShutdownReasonName | null;
  memoryMiB: number;
  maxMemoryMiB: number;
  /** memory/target (`xl mem-set`): where the guest's balloon driver is taking memoryMiB. */
  targetMemoryMiB: number;
  onlineVcpus: number;
  maxVcpus: number;
  cpuTimeS: number;
  cpupool: string;
}

export type ToolstackEvent =
  | { kind: 'domain.created'; hostId: string; domain: DomainSummary }
  /** previousName: set when the change was `xl rename` (the lab's xl.cfg file follows). */
  | { kind: 'domain.changed'; hostId: string; domain: DomainSummary; previousName?: string }
  | { kind: 'domain.destroyed'; hostId: string; domid: number; name: string }
  | { kind: 'host.log'; hostId: string; level: 'info' | 'warning' | 'error'; message: string }
  /** How far an `xl save` of a domain has gone: pages of its memory sent, of all. */
  | { kind: 'domain.progress'; hostId: string; domid: number; op: 'save'; done: number; total: number };

export interface CreateDomainRequest {
  /** The xl.cfg text. */
  configText: string;
  /** The file name errors are reported against ("config" when none). */
  file?: string;
  /** `xl create -p`: leave the domain paused. */
  paused?: boolean;
  /** `xl -N create`: check and report what would be built, build nothing. */
  dryRun?: boolean;
  /** `xl create cfg key=value ...`: lines appended to the config, as xl does. */
  overrides?: string[];
}

export interface CreateDomainResult {
  /** Absent on a dry run. */
  domid?: number;
  name: string;
  /** libxl's domain build info as built from the config (the dry-run output). */
  buildInfo: DomainBuildInfoJson;
  /** xl's warnings while parsing (e.g. deprecated keys). */
  warnings: string[];
}

/** The part of libxl_domain_config a config resolves to, in libxl's JSON names. */
export interface DomainBuildInfoJson {
  c_info: { type: DomainTypeName; name: string; uuid?: string; pool_name?: string };
  b_info: {
    max_vcpus: number;
    avail_vcpus: number[];
    /** cpus= / cpus_soft=: the pCPUs each vCPU may run on (hard) or prefers (soft). */
    vcpu_hard_affinity?: number[][];
    vcpu_soft_affinity?: number[][];
    /** "False" when cpus= was a list (xl turns automatic NUMA placement off). */
    numa_placement?: 'False';
    max_memkb: number;
    target_memkb: number;
    device_model_version?: 'qemu_xen' | 'qemu_xen_traditional';
    device_model?: string;
    /** cpu_weight, cap, period, extratime, slice, latency as given (libxl_domain_sched_params). */
    sched_params?: Record<string, number>;
    kernel?: string;
    ramdisk?: string;
    cmdline?: string;
    /** cpuid= (libxl or xend form): features set (1), cleared (0) or taken from the host ('k'). */
    cpuid?: Record<string, 0 | 1 | 'k'>;
    /** cpuid= in xend's form as libxl keeps it (leaf, subleaf, register policy strings). */
    cpuid_xend?: { leaf: number; subleaf?: number; eax?: string; ebx?: string; ecx?: string; edx?: string }[];
    /** libxl's "type.hvm" members for an HVM guest (firmware, viridian, vga, vnc, serial, boot ...). */
    hvm?: Record<string, LibxlJsonValue>;
    /** libxl's "type.pv" members (e820_host). */
    pv?: Record<string, LibxlJsonValue>;
    /** HVM `boot` (xl.cfg(5)): the firmware's boot order, c (disk) d (cd-rom) n (network); libxl's u.hvm.boot, default "cda". */
    boot?: string;
  };
  disks?: LibxlDiskJson[];
  nics?: LibxlNicJson[];
  pcidevs?: LibxlPciJson[];
  vfbs?: Record<string, LibxlJsonValue>[];
  vkbs?: Record<string, LibxlJsonValue>[];
  usbctrls?: LibxlUsbctrlJson[];
  usbdevs?: LibxlUsbdevJson[];
  on_poweroff: ShutdownAction;
  on_reboot: ShutdownAction;
  on_crash: ShutdownAction;
  /** What SHUTDOWN_soft_reset (kexec -e) does; libxl's default is soft-reset. */
  on_soft_reset?: ShutdownAction;
}

export type SchedulerNameT = 'credit' | 'credit2' | 'rtds' | 'null';

/** `xl cpupool-list`: a pool, its scheduler, its pCPUs and how many domains it holds. */
export interface CpupoolSummary {
  poolId: number;
  name: string;
  sched: SchedulerNameT;
  cpus: number[];
  nDomains: number;
}

/** Per-domain scheduler parameters in xl's units (weight, cap %; RTDS budget/period in µs). */
export interface DomainSchedParamsT {
  weight?: number;
  cap?: number;
  period?: number;
  budget?: number;
  extratime?: boolean;
}

/** One vCPU's RTDS parameters (`xl sched-rtds -d D -v N -p P -b B -e E`), µs. */
export interface VcpuSchedParamsT {
  vcpu: number;
  period: number;
  budget: number;
  extratime: boolean;
}

export interface DomainSchedInfo {
  sched: SchedulerNameT;
  pool: string;
  params: DomainSchedParamsT;
  /** RTDS: per-vCPU budget and period (`xl sched-rtds -v all`). */
  vcpus?: VcpuSchedParamsT[];
}

/** A pool's global parameters (`xl sched-credit -s`, `xl sched-credit2 -s`). */
export interface PoolSchedParamsT {
  tsliceMs?: number;
  ratelimitUs?: number;
  vcpuMigrDelayUs?: number;
}

/**
 * A credit2 pool's runqueues: the arrangement is Xen's boot parameter credit2_runqueue=
 * (cpu, core, socket, node, all; at most sched_credit2_max_cpus_runqueue pCPUs each),
 * fixed while the host runs.
 */
export interface Credit2RunqueuesT {
  arrangement: 'cpu' | 'core' | 'socket' | 'node' | 'all';
  maxCpusRunqueue: number;
  runqueues: { id: number; cpus: number[] }[];
}

/** A pool's scheduler and its global parameters; credit2 pools of an embedded host also their runqueues. */
export interface PoolSchedInfoT {
  sched: SchedulerNameT;
  params: PoolSchedParamsT;
  runqueues?: Credit2RunqueuesT;
}

/** `xl vcpu-list`: one vCPU. */
export interface VcpuSummary {
  domid: number;
  name: string;
  vcpu: number;
  /** pCPU it runs or last ran on; null when offline. */
  cpu: number | null;
  online: boolean;
  runstate: 'running' | 'runnable' | 'blocked' | 'offline';
  cpuTimeS: number;
  hardAffinity: string;
  softAffinity: string;
  /** Time in each runstate so far, ns (vcpu_runstate_info; hosts that do not say leave it out). */
  runstateNs?: { running: number; runnable: number; blocked: number; offline: number };
}

/** `xl info -n`: where each pCPU sits (cpu_topology) and the NUMA nodes. */
export interface HostTopology {
  sockets: number;
  coresPerSocket: number;
  threadsPerCore: number;
  nrNodes: number;
  cpus: { cpu: number; socket: number; core: number; node: number }[];
  /** xl info -n's numa_info: memsize and memfree in MiB, and the distance row. */
  nodes: { node: number; memoryMiB: number; freeMiB: number; distances: number[] }[];
}

/**
 * Cumulative counters at one instant of a host's time, for rates: busy ns per pCPU
 * (empty where the host does not say) and CPU ns per domain. Two samples make a rate.
 */
export interface HostSample {
  nowNs: number;
  pcpuBusyNs: number[];
  /** Pool of each pCPU (-1: free), to paint the heat map. */
  pcpuPool: number[];
  /** The domains, and the CPU ns of domids[i] in domainCpuNs[i] (columns: 10,000 domains a second make no objects). */
  domids: number[];
  domainCpuNs: number[];
}

/** Cumulative scheduling counters of one domain (for its live charts). */
export interface DomainSample {
  nowNs: number;
  cpuNs: number;
  runstateNs: { running: number; runnable: number; blocked: number; offline: number };
  /** Wake-up to run latency, p99 over the domain's life so far (ns). */
  wakeP99Ns: number;
  deadlineMisses: number;
}

/** A CPUID policy as `xen-cpuid -p` summarises it: vendor, family/model, feature names. */
export interface CpuPolicySummary {
  vendor: 'GenuineIntel' | 'AuthenticAMD';
  family: number;
  model: number;
  features: string[];
  tscKhz: number;
}

/** `xl block-list`: one virtual block device (libxl_diskinfo) with what its config said. */
export interface VbdInfo {
  /** Device number from the vdev (xvda = 51712): the vbd's devid in xenstore. */
  devid: number;
  vdev: string;
  /** The backend's target (pdev_path); '' for an empty cdrom. */
  target: string;
  /** phy, qdisk, tap, standalone. */
  backendType: string;
  mode: 'r' | 'w';
  cdrom: boolean;
  backendDomid: number;
  /** The frontend's XenbusState (1 Initialising ... 4 Connected), -1 when absent. */
  state: number;
  evtch: number;
  ringRef: number;
  backendPath: string;
}

/** `xl network-list`: one virtual network interface (libxl_nicinfo). */
export interface VifInfo {
  devid: number;
  mac: string;
  bridge: string;
  backendDomid: number;
  state: number;
  evtch: number;
  txRingRef: number;
  rxRingRef: number;
  backendPath: string;
}

export interface DomainDevices {
  disks: VbdInfo[];
  nics: VifInfo[];
}

