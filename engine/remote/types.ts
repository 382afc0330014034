// The plain objects the connector returns, shaped after libxl's types
// (tools/libs/light/libxl_types.idl: libxl_physinfo, libxl_dominfo, libxl_vcpuinfo,
// libxl_cpupoolinfo, libxl_domain_sched_params) with the units xl prints: memory in MiB
// where xl prints MiB, KiB where libxl counts KiB, times in seconds.

/** `xl info`: the host, the hypervisor and its build. */
export interface RemotePhysinfo {
  host: string;
  release: string;
  version: string;
  machine: string;
  nrCpus: number;
  maxCpuId: number;
  nrNodes: number;
  coresPerSocket: number;
  threadsPerCore: number;
  cpuMhz: number;
  /** Eight 32-bit words, as xl prints them (hex strings). */
  hwCaps: string[];
  /** pv, hvm, hap, shadow, iommu_hap_pt_share, gnttab-v1, ... */
  virtCaps: string[];
  totalMemoryMiB: number;
  freeMemoryMiB: number;
  sharingFreedMemoryMiB: number;
  sharingUsedMemoryMiB: number;
  outstandingClaimsMiB: number;
  freeCpus: number;
  xenMajor: number;
  xenMinor: number;
  xenExtra: string;
  xenVersion: string;
  xenCaps: string[];
  xenScheduler: string;
  xenPagesize: number;
  platformParams: string;
  xenChangeset: string;
  xenCommandline: string;
  ccCompiler: string;
  ccCompileBy: string;
  ccCompileDomain: string;
  ccCompileDate: string;
  buildId: string;
  xendConfigFormat: number;
  /** `xl info -n` only. */
  cpuTopology?: CpuTopology[];
  numaInfo?: NumaNode[];
  /** Every `key : value` line, including keys this parser does not know. */
  fields: Record<string, string>;
}

export interface CpuTopology {
  cpu: number;
  core: number;
  socket: number;
  node: number;
}

export interface NumaNode {
  node: number;
  memsizeMiB: number;
  memfreeMiB: number;
  distances: number[];
}

/** Why a domain shut down (libxl_shutdown_reason; xl's letters "-rscwS"). */
export type ShutdownReason = 'poweroff' | 'reboot' | 'suspend' | 'crash' | 'watchdog' | 'soft_reset' | 'unknown';

/** The six state letters of `xl list`: r b p s (reason) d. */
export interface DomainState {
  running: boolean;
  blocked: boolean;
  paused: boolean;
  shutdown: boolean;
  /** Only when shutdown; poweroff also prints "-". */
  shutdownReason: ShutdownReason | null;
  dying: boolean;
  /** As printed, e.g. "-b----". */
  letters: string;
}

/** One row of `xl list` (with -v: uuid, reason code, label; with -c: cpupool). */
export interface RemoteDomain {
  domid: number;
  name: string;
  /** (current + outstanding) / 1024, as xl prints it. */
  memMiB: number;
  vcpus: number;
  state: DomainState;
  cpuTimeS: number;
  uuid?: string;
  /** The numeric shutdown reason `xl list -v` prints in hex, when shut down. */
  reasonCode?: number;
  securityLabel?: string;
  cpupool?: string;
}

/** One row of `xl vcpu-list`. */
export interface RemoteVcpu {
  domain: string;
  domid: number;
  vcpu: number;
  /** null when the vCPU is offline. */
  cpu: number | null;
  online: boolean;
  running: boolean;
  blocked: boolean;
  timeS: number;
  /** As xl prints cpumaps: "all", "0-3", "0,2". */
  hardAffinity: string;
  softAffinity: string;
}

/** `xl cpupool-list` and `-c` together. */
export interface RemoteCpupool {
  name: string;
  nCpus: number;
  sched: string;
  active: boolean;
  nDom: number;
  cpus: number[];
}

/** Scheduler parameters of one domain (libxl_domain_sched_params; rtds per vCPU). */
export interface DomainSchedParams {
  name: string;
  domid: number;
  weight?: number;
  cap?: number;
  /** RTDS, microseconds. */
  periodUs?: number;
  budgetUs?: number;
  extratime?: boolean;
  vcpu?: number;
}

/** What `setDomainSchedParams` changes: weight / cap (credit, credit2) or period / budget / extratime (RTDS); what is absent stays. */
export interface DomainSchedChange {
  weight?: number;
  cap?: number;
  periodUs?: number;
  budgetUs?: number;
  extratime?: boolean;
}

/** A pool's parameters to change: tslice_ms, ratelimit_us and migration_delay_us for credit, ratelimit_us for credit2. */
export interface PoolSchedChange {
  tsliceMs?: number;
  ratelimitUs?: number;
  migrationDelayUs?: number;
}

/** A CPUID policy as xen-cpuid shows it: vendor, family, model, the featureset words and Xen's names of their set bits. */
export interface RemoteCpuPolicy {
  vendor: string;
  family: number;
  model: number;
  words: number[];
  features: string[];
}

/** One `Cpupool <name>: ...` block of `xl sched-<scheduler>`; pool is null for `-d` output, which has no pool line. */
export interface PoolSchedParams {
  pool: string | null;
  sched: 'credit' | 'credit2' | 'rtds';
  /** tslice_ms, ratelimit_us, migration_delay_us, as the pool line gives them; absent if unavailable. */
  params: Record<string, number>;
  domains: DomainSchedParams[];
}

/** One payload of `xen-livepatch list`. */
export interface LivepatchPayload {
  name: string;
  state: 'CHECKED' | 'APPLIED' | string;
  /** (errno, strerror) when the last action failed. */
  error?: string;
  metadata: string;
}

/** A libxl_domain_config as `xl list -l` prints it (the fields a console needs, typed). */
export interface LibxlDomainConfig {
  c_info: {
    type?: 'pv' | 'pvh' | 'hvm';
    name?: string;
    uuid?: string;
    pool_name?: string;
    [key: string]: unknown;
  };
  b_info: {
    max_vcpus?: number;
    avail_vcpus?: number[];
    max_memkb?: number;
    target_memkb?: number;
    sched_params?: { sched?: string; weight?: number; cap?: number; period?: number; budget?: number; extratime?: number };
    kernel?: string;
    ramdisk?: string;
    cmdline?: string;
    [key: string]: unknown;
  };
  disks?: Record<string, unknown>[];
  nics?: Record<string, unknown>[];
  on_poweroff?: string;
  on_reboot?: string;
  on_watchdog?: string;
  on_crash?: string;
  on_soft_reset?: string;
  [key: string]: unknown;
}

/** One element of `xl list -l`. */
export interface RemoteDomainConfig {
  domid: number | null;
  config: LibxlDomainConfig;
}

/** A libxl message line on xl's stderr: "libxl: error: file.c:81:function: Domain 3:text". */
export interface LibxlMessage {
  level: string;
  file: string;
  line: number;
  func: string;
  domid?: number;
  text: string;
}
