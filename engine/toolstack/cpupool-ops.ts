/**
 * CPU pools and scheduler parameters on the embedded host, as libxl does them over the
 * hypercalls (tools/libs/light/libxl_cpupool.c, libxl_sched.c), with xl's messages where
 * the real xl 4.17 prints its own (test/fixtures/realxen: "Can't destroy cpupool 'X'",
 * "Cpu weight out of range, valid values are within range from 1 to 65535").
 */
import { XenError } from '../hypervisor/errno';
import { XEN_SYSCTL_CSCHED_TSLICE_MAX, XEN_SYSCTL_CSCHED_TSLICE_MIN } from '../hypervisor/sched/credit';
import { XEN_SYSCTL_SCHED_RATELIMIT_MAX, XEN_SYSCTL_SCHED_RATELIMIT_MIN, type SchedulerName } from '../hypervisor/sched/scheduler';
import type { Xen } from '../hypervisor/xen';
import { ToolstackError } from './toolstack-error';
import type { CpupoolSummary, DomainSchedInfo, DomainSchedParamsT, PoolSchedInfoT, PoolSchedParamsT, VcpuSchedParamsT, VcpuSummary } from './types';

export class CpupoolOps {
  constructor(private readonly xen: Xen) {}

  list(): CpupoolSummary[] {
    return this.xen.hypercall({ op: 'sysctl.cpupool_op.list' }).map((p) => ({ poolId: p.poolId, name: p.name, sched: p.sched, cpus: [...p.cpus], nDomains: p.nDom }));
  }

  /** libxl_name_to_cpupoolid: pools are named by name (or by number, as xl accepts). */
  poolId(ref: string): number {
    const pools = this.list();
    const hit = pools.find((p) => p.name === ref) ?? (/^\d+$/.test(ref) ? pools.find((p) => p.poolId === Number(ref)) : undefined);
    if (!hit) throw new ToolstackError('ENOENT', `cpupool '${ref}' does not exist`, `pools: ${pools.map((p) => p.name).join(', ')}`);
    return hit.poolId;
  }

  /** Pool names by id, for labelling many domains at once. */
  names(): Map<number, string> {
    return new Map(this.xen.hypercall({ op: 'sysctl.cpupool_op.list' }).map((p) => [p.poolId, p.name]));
  }

  nameOf(poolId: number): string {
    return this.list().find((p) => p.poolId === poolId)?.name ?? `Pool-${poolId}`;
  }

  /** `xl cpupool-create name=... sched=... cpus=...`: pCPUs must be free (cpupool-cpu-remove them first). */
  create(name: string, sched: SchedulerName, cpus: number[]): CpupoolSummary {
    const free = this.xen.hypercall({ op: 'sysctl.cpupool_op.freeinfo' }).cpus;
    const busy = cpus.filter((c) => !free.includes(c));
    if (busy.length > 0) {
      throw new ToolstackError('EBUSY', `CPU ${busy.join(',')} is not free`, 'Remove it from its pool first (xl cpupool-cpu-remove)');
    }
    const { poolId } = this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.create', name, sched, cpus }));
    return this.list().find((p) => p.poolId === poolId)!;
  }

  /** libxl_cpupool_destroy: refuses a pool with domains; gives its pCPUs back to the free set first. */
  destroy(ref: string): void {
    const id = this.poolId(ref);
    const p = this.list().find((x) => x.poolId === id)!;
    if (id === 0 || p.nDomains > 0) {
      throw new ToolstackError('EBUSY', `Can't destroy cpupool '${p.name}'`, p.nDomains > 0 ? `It still holds ${p.nDomains} domain(s): xl cpupool-migrate them away first` : 'Pool-0 always exists');
    }
    if (p.cpus.length > 0) this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: id, cpus: p.cpus }));
    this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.destroy', poolId: id }));
  }

  addCpus(ref: string, cpus: number[]): void {
    const id = this.poolId(ref);
    this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.addcpu', poolId: id, cpus }));
  }

  removeCpus(ref: string, cpus: number[]): void {
    const id = this.poolId(ref);
    this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.rmcpu', poolId: id, cpus }));
  }

  rename(ref: string, name: string): void {
    const id = this.poolId(ref);
    this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.rename', poolId: id, name }));
  }

  migrate(domid: number, ref: string): void {
    const id = this.poolId(ref);
    this.call(() => this.xen.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId: id, domid }));
  }

  domainSched(domid: number): DomainSchedInfo {
    const info = this.xen.hypercall({ op: 'domctl.getdomaininfo', domid });
    const pool = this.list().find((p) => p.poolId === info.cpupoolId)!;
    const r = this.call(() => this.xen.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'getinfo' }));
    const out: DomainSchedInfo = { sched: pool.sched, pool: pool.name, params: { ...r.params } };
    if (pool.sched === 'rtds') {
      const v = this.call(() => this.xen.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'getvcpuinfo', vcpus: Array.from({ length: info.maxVcpuId + 1 }, (_, i) => i) }));
      out.vcpus = v.vcpus ?? [];
    }
    return out;
  }

  /** libxl_domain_sched_params_set, with libxl's range checks and words. */
  setDomainSched(domid: number, p: DomainSchedParamsT, expect?: SchedulerName): void {
    const cur = this.domainSched(domid);
    if (expect && cur.sched !== expect) {
      throw new ToolstackError('EINVAL', `libxl_domain_sched_params_get returned ${cur.sched} not ${expect}.`, `The domain is in pool ${cur.pool}, which runs ${cur.sched}`);
    }
    if (cur.sched === 'rtds') {
      // sched_rtds_domain_set(): what xc_sched_rtds_domain_get gives (rt_dom_cntl's getinfo:
      // the defaults) with the given period and budget over it, checked by
      // sched_rtds_validate_params, then putinfo with both and XEN_DOMCTL_SCHEDRT_extra
      // unless extratime is 0 (LIBXL_DOMAIN_SCHED_PARAM_EXTRATIME_DEFAULT, -1, sets it).
      // rt_dom_cntl() does not read that flag: every vCPU keeps its extratime. Weight and
      // cap are not read either (they are sched_credit*_domain_set's, checked there).
      const period = p.period ?? cur.params.period ?? 0;
      const budget = p.budget ?? cur.params.budget ?? 0;
      rtdsValidateParams(period, budget);
      this.call(() => this.xen.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'putinfo', params: { period, budget, extratime: p.extratime ?? true } }));
      return;
    }
    if (p.weight !== undefined && (p.weight < 1 || p.weight > 65535)) {
      throw new ToolstackError('EINVAL', 'Cpu weight out of range, valid values are within range from 1 to 65535');
    }
    if (p.cap !== undefined) {
      // sched_credit{,2}_domain_set(): the cap is a percentage of one pCPU, at most all of
      // the domain's vCPUs busy: (max_vcpu_id + 1) * 100 (libxl_sched.c, 4.17)
      const max = (this.xen.hypercall({ op: 'domctl.getdomaininfo', domid }).maxVcpuId + 1) * 100;
      if (p.cap < 0 || p.cap > max) throw new ToolstackError('EINVAL', `Cpu cap out of range, valid range is from 0 to ${max} for specified number of vcpus`);
    }
    this.call(() => this.xen.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'putinfo', params: p }));
  }

  /**
   * libxl_vcpu_sched_params_set (libxl_sched.c sched_rtds_vcpu_set): only for a domain in
   * an RTDS pool ("Only RTDS supports per-vcpu parameters"), vCPU ids checked against the
   * domain ("Invalid VCPU N: valid range is [0, M]"), every budget and period checked
   * before any is set (the scheduler's bounds), so it is all or nothing.
   */
  setVcpuSched(domid: number, vcpus: VcpuSchedParamsT[]): void {
    const cur = this.domainSched(domid);
    if (cur.sched !== 'rtds') throw new ToolstackError('EINVAL', 'per-VCPU parameter setting not supported for this scheduler', `The domain is in pool ${cur.pool}, which runs ${cur.sched}; only RTDS has per-vCPU parameters`);
    if (vcpus.length === 0) throw new ToolstackError('EINVAL', 'no vCPU given');
    const max = (cur.vcpus ?? []).length - 1;
    for (const v of vcpus) {
      if (!Number.isInteger(v.vcpu) || v.vcpu < 0 || v.vcpu > max) throw new ToolstackError('EINVAL', `Invalid VCPU ${v.vcpu}: valid range is [0, ${max}]`);
      // the hypervisor's own bounds (rt.c: 10 µs at least) come after
      rtdsValidateParams(v.period, v.budget);
    }
    this.call(() => this.xen.hypercall({ op: 'domctl.scheduler_op', domid, cmd: 'putvcpuinfo', vcpus: vcpus.map((v) => ({ ...v })) }));
  }

  poolSched(ref: string): PoolSchedInfoT {
    const id = this.poolId(ref);
    const pool = this.list().find((x) => x.poolId === id)!;
    const params = this.call(() => this.xen.hypercall({ op: 'sysctl.scheduler_op', poolId: id, cmd: 'getinfo' }));
    if (pool.sched !== 'credit2') return { sched: pool.sched, params };
    const a = this.xen.hypercall({ op: 'sim.credit2_runqueues', poolId: id });
    return { sched: pool.sched, params, runqueues: { arrangement: a.kind, maxCpusRunqueue: a.maxCpusRunqueue, runqueues: a.runqueues } };
  }

  /**
   * libxl_sched_credit_params_set / libxl_sched_credit2_params_set (tools/libs/light/
   * libxl_sched.c) check what xl passes before Xen is asked, with these words (the real
   * xl 4.17's, test/fixtures/realxen/xl-sched-credit*-s-*.err): the time slice against
   * XEN_SYSCTL_CSCHED_TSLICE_MIN/MAX, the rate limit in sched_ratelimit_check (0 turns
   * it off), and a rate limit above the time slice.
   */
  setPoolSched(ref: string, params: PoolSchedParamsT): void {
    const id = this.poolId(ref);
    const pool = this.list().find((x) => x.poolId === id);
    if (pool?.sched === 'credit' || pool?.sched === 'credit2') {
      const now = this.call(() => this.xen.hypercall({ op: 'sysctl.scheduler_op', poolId: id, cmd: 'getinfo' }));
      const next = { ...now, ...params };
      if (pool.sched === 'credit' && next.tsliceMs !== undefined && (next.tsliceMs < XEN_SYSCTL_CSCHED_TSLICE_MIN || next.tsliceMs > XEN_SYSCTL_CSCHED_TSLICE_MAX)) {
        throw new ToolstackError('EINVAL', `Time slice out of range, valid range is from ${XEN_SYSCTL_CSCHED_TSLICE_MIN} to ${XEN_SYSCTL_CSCHED_TSLICE_MAX}`);
      }
      const r = next.ratelimitUs;
      if (r !== undefined && r !== 0 && (r < XEN_SYSCTL_SCHED_RATELIMIT_MIN || r > XEN_SYSCTL_SCHED_RATELIMIT_MAX)) {
        throw new ToolstackError('EINVAL', `Ratelimit out of range, valid range is from ${XEN_SYSCTL_SCHED_RATELIMIT_MIN} to ${XEN_SYSCTL_SCHED_RATELIMIT_MAX}`);
      }
      if (pool.sched === 'credit' && r !== undefined && next.tsliceMs !== undefined && r > next.tsliceMs * 1000) {
        throw new ToolstackError('EINVAL', 'Ratelimit cannot be greater than timeslice');
      }
    }
    this.call(() => this.xen.hypercall({ op: 'sysctl.scheduler_op', poolId: id, cmd: 'putinfo', params }));
  }

  vcpus(domid: number, name: string): VcpuSummary[] {
    return this.xen.hypercall({ op: 'domctl.getvcpuinfo', domid }).map((v) => ({
      domid,
      name,
      vcpu: v.vcpu,
      cpu: v.online ? v.cpu : null,
      online: v.online,
      runstate: v.runstate,
      cpuTimeS: Math.round(v.cpuTime / 1e8) / 10,
      hardAffinity: v.hardAffinity,
      softAffinity: v.softAffinity,
      runstateNs: { ...v.runstateTime },
    }));
  }

  private call<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      if (e instanceof XenError) throw new ToolstackError(e.code, e.message, e.hint);
      throw ToolstackError.from(e);
    }
  }
}

/**
 * sched_rtds_validate_params() (tools/libs/light/libxl_sched.c, 4.17): libxl's own check
 * of an RTDS period and budget (µs) before any hypercall, ERROR_INVAL with its words; the
 * hypervisor's (rt_dom_cntl: 10 µs at least for a vCPU) is another layer, after it.
 */
export function rtdsValidateParams(period: number, budget: number): void {
  if (period < 1) throw new ToolstackError('EINVAL', `Invalid VCPU period of ${period} (it should be >= 1)`);
  if (budget < 1) throw new ToolstackError('EINVAL', `Invalid VCPU budget of ${budget} (it should be >= 1)`);
  if (budget > period) throw new ToolstackError('EINVAL', `VCPU budget must be smaller than or equal to period, but ${budget} > ${period}`);
}
