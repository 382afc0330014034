/**
 * A real Xen host behind the same façade as the embedded one: the SSH connector of
 * engine/remote runs Xen's own tools on dom0 and this adapter turns its answers and
 * failures into the toolstack's shapes. What a real xl would say is kept: a failed
 * `xl create` keeps xl's summary line, an unknown domain is ESRCH.
 *
 * A dry run is checked by XenDeck's own xl.cfg reader (domain-build-info.ts, held against
 * libxlutil 4.17) without touching the host; the result says so in its warnings.
 */
import type { CoreDumpResult } from './coredump/domain-dumpcore';
import { BadArgumentError, NotSupportedError, RemoteError, ToolMissingError, XlCommandError } from '../remote/errors';
import type { XlFailureKind } from '../remote/parse/xl-stderr';
import type { RemoteXenHost } from '../remote/remote-host';
import type { DomainSchedChange, PoolSchedChange, RemoteDomain } from '../remote/types';
import { PAGE_KIB } from '../hypervisor/page';
import type { Physinfo } from '../hypervisor/xen';
import type { DomainWatch } from '../remote/domain-watch';
import { parseDomainConfig, withOverrides } from './domain-build-info';
import type { XenstoreListing, XenstoreNode } from './host-xenstore';
import type { ConsoleStream } from './console-stream';
import type { DomainRef, ShutdownOptions, ToolstackHost, TriggerName } from './host-api';
import type { DomainDevices } from './types';
import { NotImplementedError, ToolstackError, type ToolstackErrorCode } from './toolstack-error';
import { checkDebugKeys } from './debug-keys';
import { rtdsValidateParams } from './cpupool-ops';
import { RTDS_DEFAULT_BUDGET_US, RTDS_DEFAULT_PERIOD_US } from '../hypervisor/sched/rt-units';
import type { SaveResult } from './migration/domain-save';
import type { RestoreResult } from './migration/domain-restore';
import type {
  CpupoolSummary,
  CpuPolicySummary,
  CreateDomainRequest,
  CreateDomainResult,
  DomainSchedInfo,
  DomainSchedParamsT,
  DomainSummary,
  DomainTypeName,
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
} from './types';

const FAILURE_CODES: Record<XlFailureKind, ToolstackErrorCode> = {
  'no-such-domain': 'ESRCH',
  'domain-exists': 'EEXIST',
  'config-syntax': 'ECONFIG',
  'config-unreadable': 'ENOENT',
  'kernel-unreadable': 'ENOENT',
  'no-such-command': 'ENOSYS',
  'out-of-range': 'ERANGE',
  'wrong-scheduler': 'EINVAL',
  'no-such-cpupool': 'ENOENT',
  'cpupool-busy': 'EBUSY',
  'guest-no-ack': 'ETIMEDOUT',
  'out-of-memory': 'ENOMEM',
  'invalid-argument': 'EINVAL',
  other: 'EIO',
};

export function remoteToToolstackError(e: unknown): ToolstackError {
  if (e instanceof XlCommandError) return new ToolstackError(FAILURE_CODES[e.failure.kind], e.failure.summary || e.message, e.hint);
  // what the host lacks or refuses is the toolstack's own error; the link's troubles stay EREMOTE
  if (e instanceof ToolMissingError && e.tool !== 'xl') return new ToolstackError('ENOSYS', e.message, e.hint);
  if (e instanceof NotSupportedError) return new ToolstackError('EOPNOTSUPP', e.message, e.hint);
  if (e instanceof BadArgumentError) return new ToolstackError('EINVAL', e.message, e.hint);
  if (e instanceof RemoteError) return new ToolstackError('EREMOTE', e.message, e.hint);
  return ToolstackError.from(e);
}

export class RemoteToolstackHost implements ToolstackHost {
  readonly kind = 'remote' as const;
  private readonly listeners = new Set<(e: ToolstackEvent) => void>();
  private watch: DomainWatch | undefined;
  /** Domain types from `xl list -l`, by uuid (xl list itself does not print them). */
  private readonly types = new Map<string, DomainTypeName>();

  constructor(
    readonly id: string,
    private readonly remote: RemoteXenHost,
  ) {}

  async summary(): Promise<HostSummary> {
    const [p, doms] = await this.call(() => Promise.all([this.remote.physinfo(), this.remote.domainList()]));
    return {
      id: this.id,
      kind: this.kind,
      hostname: p.host,
      xenVersion: p.xenVersion,
      hardware: `${this.remote.target}: ${p.nrCpus} pCPUs, ${p.machine}`,
      nrCpus: p.nrCpus,
      nrNodes: p.nrNodes,
      cpuMhz: p.cpuMhz,
      totalMemoryMiB: p.totalMemoryMiB,
      freeMemoryMiB: p.freeMemoryMiB,
      scheduler: p.xenScheduler,
      nrDomains: doms.length,
      nowNs: 0,
    };
  }

  async listDomains(): Promise<DomainSummary[]> {
    const doms = await this.call(() => this.remote.domainList());
    await this.learnTypes(doms);
    return doms.map((d) => this.toSummary(d));
  }

  async domain(ref: DomainRef): Promise<DomainSummary> {
    const d = await this.call(() => this.remote.domainInfo(ref));
    await this.learnTypes([d]);
    return this.toSummary(d);
  }

  async createDomain(req: CreateDomainRequest): Promise<CreateDomainResult> {
    const text = withOverrides(req.configText, req.overrides);
    const { buildInfo, warnings } = parseDomainConfig(text, req.file ?? 'config');
    if (req.dryRun) {
      return { name: buildInfo.c_info.name, buildInfo, warnings: [...warnings, `checked by XenDeck's xl.cfg reader; ${this.remote.target} was not asked`] };
    }
    const d = await this.call(() => this.remote.create(text, { paused: req.paused ?? false, source: req.file ?? 'config' }));
    const summary = this.toSummary(d);
    this.emit({ kind: 'domain.created', hostId: this.id, domain: summary });
    return { domid: d.domid, name: d.name, buildInfo, warnings };
  }

  async pause(ref: DomainRef): Promise<void> {
    await this.call(() => this.remote.pause(ref));
    this.refreshSoon();
  }

  async unpause(ref: DomainRef): Promise<void> {
    await this.call(() => this.remote.unpause(ref));
    this.refreshSoon();
  }

  async shutdown(ref: DomainRef, opts: ShutdownOptions = {}): Promise<void> {
    await this.call(() => (opts.reboot ? this.remote.reboot(ref) : this.remote.shutdown(ref)));
    this.refreshSoon();
  }

  async destroy(ref: DomainRef): Promise<void> {
    await this.call(() => this.remote.destroy(ref));
  }

  async dmesg(opts: { clear?: boolean } = {}): Promise<string> {
    return this.call(() => this.remote.dmesg({ clear: opts.clear ?? false }));
  }

  async makeDiskImage(path: string, sizeMiB: number): Promise<'created' | 'kept'> {
    return this.call(() => this.remote.makeDiskImage(path, sizeMiB));
  }

  async removeDiskImage(path: string): Promise<void> {
    await this.call(() => this.remote.removeDiskImage(path));
  }

  async debugKeys(keys: string): Promise<void> {
    checkDebugKeys(keys);
    await this.call(() => this.remote.debugKeys(keys));
  }

  /** xl list's CPU times give domain rates; xl has no per-pCPU busy time, so the heat map stays empty for a real host. */
  async sample(): Promise<HostSample> {
    const doms = await this.call(() => this.remote.domainList());
    return { nowNs: Date.now() * 1e6, pcpuBusyNs: [], pcpuPool: [], domids: doms.map((d) => d.domid), domainCpuNs: doms.map((d) => d.cpuTimeS * 1e9) };
  }

  /** xl shows no runstate times or wake-up latencies: the live charts need the embedded host. */
  async domainSample(_ref: DomainRef): Promise<DomainSample> {
    throw new NotImplementedError('runstate and latency charts of a real host');
  }

  /** `xenstore-ls PATH` on dom0 (values without permissions: xenstore-ls -p is not parsed yet). */
  async xenstoreList(path: string): Promise<XenstoreListing> {
    const [value, below] = await this.call(() => Promise.all([this.remote.xenstoreRead(path), this.remote.xenstoreLs(path)]));
    const prefix = path === '/' ? '/' : `${path}/`;
    const direct = below.filter((n) => n.path.startsWith(prefix) && !n.path.slice(prefix.length).includes('/'));
    const count = (p: string): number => below.filter((n) => n.path.startsWith(`${p}/`) && !n.path.slice(p.length + 1).includes('/')).length;
    const node = (p: string, v: string): XenstoreNode => ({ path: p, value: v, perms: [], children: count(p) });
    return { node: node(path, value), children: direct.map((n) => node(n.path, n.value)) };
  }

  /** Live watches need a xenstore-watch over SSH, which the connector does not run yet. */
  watchXenstore(_path: string, _fire: (eventPath: string) => void): () => void {
    throw new NotImplementedError('live xenstore watches on a real host');
  }

  /**
   * `xen-cpuid` on dom0 (see RemoteXenHost.cpuPolicy); the TSC frequency is xl info's
   * cpu_mhz, which Xen reports from its calibrated cpu_khz (the TSC rate).
   */
  async cpuPolicy(ref?: DomainRef): Promise<CpuPolicySummary> {
    const [p, info] = await this.call(() => Promise.all([this.remote.cpuPolicy(ref), this.remote.physinfo()]));
    if (p.vendor !== 'GenuineIntel' && p.vendor !== 'AuthenticAMD') {
      throw new ToolstackError('ENOSYS', `CPUID policies of ${p.vendor} CPUs: not implemented in XenDeck yet`, 'XenDeck summarises Intel and AMD policies only');
    }
    return { vendor: p.vendor, family: p.family, model: p.model, features: p.features, tscKhz: Math.round(info.cpuMhz * 1000) };
  }

  /** `xl info` in XEN_SYSCTL_physinfo's terms (what the embedded host answers from the hypercall). */
  async physinfo(): Promise<Physinfo> {
    const p = await this.call(() => this.remote.physinfo());
    const pagesPerMiB = 1024 / PAGE_KIB;
    return {
      threadsPerCore: p.threadsPerCore,
      coresPerSocket: p.coresPerSocket,
      nrCpus: p.nrCpus,
      maxCpuId: p.maxCpuId,
      nrNodes: p.nrNodes,
      maxNodeId: Math.max(0, p.nrNodes - 1),
      cpuKhz: Math.round(p.cpuMhz * 1000),
      totalPages: p.totalMemoryMiB * pagesPerMiB,
      freePages: p.freeMemoryMiB * pagesPerMiB,
      capabilities: p.virtCaps,
    };
  }

  /** `xl vcpu-pin`: null leaves that affinity as it is. */
  async setVcpuAffinity(ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void> {
    await this.call(() => this.remote.vcpuPin(ref, vcpu, hard, soft));
  }

  /** `xl mem-max`. */
  async setMaxMemory(ref: DomainRef, maxKiB: number): Promise<void> {
    await this.call(() => this.remote.memMax(ref, maxKiB));
  }

  async topology(): Promise<HostTopology> {
    const p = await this.call(() => this.remote.physinfo({ numa: true }));
    return {
      sockets: Math.max(1, Math.round(p.nrCpus / Math.max(1, p.coresPerSocket * p.threadsPerCore))),
      coresPerSocket: p.coresPerSocket,
      threadsPerCore: p.threadsPerCore,
      nrNodes: p.nrNodes,
      cpus: (p.cpuTopology ?? []).map((c) => ({ cpu: c.cpu, socket: c.socket, core: c.core, node: c.node })),
      nodes: (p.numaInfo ?? []).map((n) => ({ node: n.node, memoryMiB: n.memsizeMiB, freeMiB: n.memfreeMiB, distances: n.distances })),
    };
  }

  /** `xl block-list` / `xl network-list` on a real host are not read yet. */
  /** `xl block-list` / `xl network-list`'s view: the frontend and backend directories in dom0's xenstore. */
  async domainDevices(ref: DomainRef): Promise<DomainDevices> {
    return this.call(() => this.remote.domainDevices(ref));
  }

  /** A real host keeps its configs in its own files; xl list -l gives libxl's JSON, not the text. */
  async domainConfigText(ref: DomainRef): Promise<{ text: string; file: string } | null> {
    await this.call(() => this.remote.domainInfo(ref));
    return null;
  }

  async vcpuList(ref?: DomainRef): Promise<VcpuSummary[]> {
    const vs = await this.call(() => this.remote.vcpuList(ref));
    return vs.map((v) => ({
      domid: v.domid,
      name: v.domain,
      vcpu: v.vcpu,
      cpu: v.cpu,
      online: v.online,
      runstate: !v.online ? 'offline' : v.running ? 'running' : v.blocked ? 'blocked' : 'runnable',
      cpuTimeS: v.timeS,
      hardAffinity: v.hardAffinity,
      softAffinity: v.softAffinity,
    }));
  }

  async listCpupools(): Promise<CpupoolSummary[]> {
    const pools = await this.call(() => this.remote.cpupoolList());
    return pools.map((p, i) => ({ poolId: i, name: p.name, sched: p.sched as SchedulerNameT, cpus: p.cpus, nDomains: p.nDom }));
  }

  async createCpupool(name: string, sched: SchedulerNameT, cpus: number[]): Promise<CpupoolSummary> {
    await this.call(() => this.remote.cpupoolCreate(name, sched, cpus));
    const p = (await this.listCpupools()).find((x) => x.name === name);
    if (!p) throw new ToolstackError('EIO', `xl cpupool-create said yes but cpupool-list has no ${name}`);
    return p;
  }

  async destroyCpupool(pool: string): Promise<void> {
    await this.call(() => this.remote.cpupoolDestroy(pool));
  }

  async cpupoolAddCpus(pool: string, cpus: number[]): Promise<void> {
    await this.call(() => this.remote.cpupoolCpuAdd(pool, cpus));
  }

  async cpupoolRemoveCpus(pool: string, cpus: number[]): Promise<void> {
    await this.call(() => this.remote.cpupoolCpuRemove(pool, cpus));
  }

  async renameCpupool(pool: string, name: string): Promise<void> {
    await this.call(() => this.remote.cpupoolRename(pool, name));
  }

  async migrateToCpupool(ref: DomainRef, pool: string): Promise<void> {
    await this.call(() => this.remote.cpupoolMigrate(ref, pool));
  }

  async domainSched(ref: DomainRef): Promise<DomainSchedInfo> {
    const [r, d] = await this.call(() => Promise.all([this.remote.domainSchedParams(ref), this.remote.domainInfo(ref)]));
    const first = r.params[0];
    const params: DomainSchedParamsT = {};
    if (first?.weight !== undefined) params.weight = first.weight;
    if (first?.cap !== undefined) params.cap = first.cap;
    if (first?.periodUs !== undefined) params.period = first.periodUs;
    if (first?.budgetUs !== undefined) params.budget = first.budgetUs;
    if (first?.extratime !== undefined) params.extratime = first.extratime;
    const out: DomainSchedInfo = { sched: r.sched, pool: d.cpupool ?? 'Pool-0', params };
    // `xl sched-rtds -d D -v all`'s rows: each vCPU's own (libxl_vcpu_sched_params_get_all)
    if (r.sched === 'rtds') {
      out.vcpus = r.params.flatMap((v) => (v.vcpu !== undefined && v.periodUs !== undefined && v.budgetUs !== undefined && v.extratime !== undefined ? [{ vcpu: v.vcpu, period: v.periodUs, budget: v.budgetUs, extratime: v.extratime }] : []));
    }
    return out;
  }

  /** `xl sched-<sched> -d`: `expect` is the scheduler the caller's sched-* command names; another one is EINVAL, as xl says it. */
  async setDomainSched(ref: DomainRef, params: DomainSchedParamsT, expect?: SchedulerNameT): Promise<void> {
    const { sched } = await this.call(() => this.remote.domainSchedParams(ref));
    // tools/xl/xl_sched.c sched_domain_get: "libxl_domain_sched_params_get returned %s not %s."
    if (expect !== undefined && sched !== expect) throw new ToolstackError('EINVAL', `libxl_domain_sched_params_get returned ${sched} not ${expect}.`);
    if (sched === 'rtds') return this.setRtdsDomain(ref, params);
    const change: DomainSchedChange = {};
    if (params.weight !== undefined) change.weight = params.weight;
    if (params.cap !== undefined) change.cap = params.cap;
    if (params.period !== undefined) change.periodUs = params.period;
    if (params.budget !== undefined) change.budgetUs = params.budget;
    if (params.extratime !== undefined) change.extratime = params.extratime;
    await this.call(() => this.remote.setDomainSchedParams(ref, change));
  }

  /**
   * libxl_domain_sched_params_set for RTDS (sched_rtds_domain_set) has no xl command (xl
   * 4.17 wants -v), so its effect is made per vCPU: getinfo's period and budget (the
   * defaults: rt_dom_cntl answers a domain query with them) under the given ones, checked
   * by sched_rtds_validate_params, on every vCPU, each keeping its extratime (rt_dom_cntl's
   * putinfo does not read the flag). The one difference: putvcpuinfo refuses a period or
   * budget under 10 µs that putinfo would take.
   */
  private async setRtdsDomain(ref: DomainRef, params: DomainSchedParamsT): Promise<void> {
    const period = params.period ?? RTDS_DEFAULT_PERIOD_US;
    const budget = params.budget ?? RTDS_DEFAULT_BUDGET_US;
    rtdsValidateParams(period, budget);
    const vcpus = (await this.domainSched(ref)).vcpus ?? [];
    await this.call(() => this.remote.setVcpuRtds(ref, vcpus.map((v) => ({ vcpu: v.vcpu, period, budget, extratime: v.extratime }))));
  }

  /** The same xl commands on dom0: xl rename, mem-set, vcpu-set, sched-rtds -v. */
  async renameDomain(ref: DomainRef, newName: string): Promise<void> {
    await this.call(() => this.remote.rename(ref, newName));
  }

  async setMemoryTarget(ref: DomainRef, targetKiB: number): Promise<void> {
    await this.call(() => this.remote.memSet(ref, targetKiB));
  }

  async save(_ref: DomainRef, _file: string): Promise<SaveResult> {
    // xl save over SSH would leave the image on the remote host's disk, where XenDeck's
    // save folder is not: not wired until images can be listed and fetched there.
    throw new NotImplementedError('xl save on a real host (the image would be written on the remote machine)');
  }

  async restore(_file: string): Promise<RestoreResult> {
    throw new NotImplementedError('xl restore on a real host (the image would have to be on the remote machine)');
  }

  /** xl sysrq, block-attach / -detach, network-attach / -detach: the same xl commands on dom0. */
  /** xl exits 0 whatever libxl_send_trigger says: a refusal is only on its stderr there. */
  async sendTrigger(ref: DomainRef, trigger: TriggerName, vcpu = 0): Promise<void> {
    await this.call(() => this.remote.trigger(ref, trigger, vcpu));
  }

  async sendSysrq(ref: DomainRef, key: string): Promise<void> {
    await this.call(() => this.remote.sysrq(ref, key));
  }

  async blockAttach(ref: DomainRef, spec: string[]): Promise<void> {
    await this.call(() => this.remote.blockAttach(ref, spec));
  }

  async blockDetach(ref: DomainRef, vdev: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.call(() => this.remote.blockDetach(ref, vdev, opts.force ?? false));
  }

  /** xl prints its warnings on the remote side; they are not carried back. */
  async networkAttach(ref: DomainRef, args: string[]): Promise<{ warnings: string[] }> {
    await this.call(() => this.remote.networkAttach(ref, args));
    return { warnings: [] };
  }

  async networkDetach(ref: DomainRef, dev: string): Promise<void> {
    await this.call(() => this.remote.networkDetach(ref, dev));
  }

  async coreDump(_ref: DomainRef, _file: string): Promise<CoreDumpResult> {
    throw new NotImplementedError('xl dump-core on a real host (the core file would be written on the remote machine)');
  }

  async setOnlineVcpus(ref: DomainRef, count: number): Promise<void> {
    await this.call(() => this.remote.vcpuSet(ref, count));
  }

  async setVcpuSched(ref: DomainRef, vcpus: VcpuSchedParamsT[]): Promise<void> {
    await this.call(() => this.remote.setVcpuRtds(ref, vcpus));
  }

  /** `xl sched-<sched>` for the pool's scheduler: its Cpupool line's tslice / ratelimit. */
  async poolSched(pool: string): Promise<PoolSchedInfoT> {
    const p = (await this.listCpupools()).find((x) => x.name === pool);
    if (!p) throw new ToolstackError('ENOENT', `cpupool '${pool}' does not exist`);
    if (p.sched === 'null') return { sched: p.sched, params: {} };
    const blocks = await this.call(() => this.remote.schedParams(p.sched as 'credit' | 'credit2' | 'rtds'));
    const b = blocks.find((x) => x.pool === pool);
    const params: PoolSchedParamsT = {};
    if (b?.params.tslice_ms !== undefined) params.tsliceMs = b.params.tslice_ms;
    if (b?.params.ratelimit_us !== undefined) params.ratelimitUs = b.params.ratelimit_us;
    if (b?.params.migration_delay_us !== undefined) params.vcpuMigrDelayUs = b.params.migration_delay_us;
    return { sched: p.sched, params };
  }

  /** `xl sched-credit -s -p POOL -t/-r/-m`, `xl sched-credit2 -s -p POOL -r` (RemoteXenHost.setPoolSchedParams). */
  async setPoolSched(pool: string, params: PoolSchedParamsT): Promise<void> {
    const change: PoolSchedChange = {};
    if (params.tsliceMs !== undefined) change.tsliceMs = params.tsliceMs;
    if (params.ratelimitUs !== undefined) change.ratelimitUs = params.ratelimitUs;
    if (params.vcpuMigrDelayUs !== undefined) change.migrationDelayUs = params.vcpuMigrDelayUs;
    await this.call(() => this.remote.setPoolSchedParams(pool, change));
  }

  /** `xl console DOMID` on a pty over ssh (engine/remote/console-stream.ts): the GUI's consoles and `xl console` read it. */
  async console(ref: DomainRef): Promise<ConsoleStream> {
    return this.call(() => this.remote.console(ref, { cols: 80, rows: 25 }));
  }

  /** Starts the connector's domain watch (xenstore-watch @introduceDomain/@releaseDomain, polling as a fallback) on first use. */
  subscribe(listener: (e: ToolstackEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.watch) {
      void this.remote
        .watchDomains((snap) => {
          for (const c of snap.changes) {
            if (c.type === 'released') this.emit({ kind: 'domain.destroyed', hostId: this.id, domid: c.domain.domid, name: c.domain.name });
            else this.emit({ kind: c.type === 'introduced' ? 'domain.created' : 'domain.changed', hostId: this.id, domain: this.toSummary(c.domain) });
          }
        })
        .then((w) => {
          this.watch = w;
        })
        .catch((e: unknown) => this.emit({ kind: 'host.log', hostId: this.id, level: 'error', message: `domain watch: ${remoteToToolstackError(e).message}` }));
    }
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.watch?.stop();
    this.listeners.clear();
    await this.remote.close();
  }

  private async learnTypes(doms: readonly RemoteDomain[]): Promise<void> {
    if (doms.every((d) => d.uuid !== undefined && this.types.has(d.uuid))) return;
    try {
      for (const c of await this.remote.domainConfig()) {
        const uuid = c.config.c_info.uuid;
        const type = c.config.c_info.type;
        if (uuid && type) this.types.set(uuid, type);
      }
    } catch {
      // xl list -l can fail for a domain being destroyed; the type shows as pv until the next listing
    }
  }

  private toSummary(d: RemoteDomain): DomainSummary {
    const reason = d.state.shutdownReason;
    return {
      domid: d.domid,
      uuid: d.uuid ?? '',
      name: d.name,
      // until xl list -l has told us, x86 dom0 and most guests are PV
      type: (d.uuid ? this.types.get(d.uuid) : undefined) ?? 'pv',
      state: d.state.letters,
      shutdownReason: reason === null || reason === 'unknown' ? null : reason,
      memoryMiB: d.memMiB,
      maxMemoryMiB: d.memMiB,
      // xl list has no target column (memory/target would be one xenstore-read per domain)
      targetMemoryMiB: d.memMiB,
      onlineVcpus: d.vcpus,
      maxVcpus: d.vcpus,
      cpuTimeS: d.cpuTimeS,
      cpupool: d.cpupool ?? 'Pool-0',
    };
  }

  private async call<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      throw remoteToToolstackError(e);
    }
  }

  /**
   * A pause or a shutdown fires no xenstore watch (only @introduceDomain / @releaseDomain
   * do), so after one of ours the domain list is read again at once instead of at the
   * next poll: the GUI shows the new state as soon as xl has answered.
   */
  private refreshSoon(): void {
    void this.watch?.refresh('manual');
  }

  private emit(e: ToolstackEvent): void {
    for (const l of this.listeners) l(e);
  }
}
