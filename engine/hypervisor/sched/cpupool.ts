/**
 * CPU pools (xen/common/sched/cpupool.c): disjoint sets of pCPUs, each with its own
 * scheduler instance and global parameters; every domain is in exactly one pool and
 * scheduling never crosses pools.
 *
 * - Pool 0 ("Pool-0") is made at boot with every pCPU and holds dom0.
 * - create (name, scheduler, pCPUs that must be free), destroy (only a pool with no
 *   domain and no pCPU: EBUSY otherwise, as XEN_SYSCTL_CPUPOOL_OP_DESTROY), cpu-add (the
 *   pCPU must be free: ENODEV), cpu-remove (not pCPU 0 from pool 0: EINVAL; not the last
 *   pCPU of a pool that has domains: EBUSY), move a domain (target must have pCPUs:
 *   ENOENT; dom0 cannot move itself: EPERM), rename (xl's cpupool-numa-split is a
 *   sequence of these, engine/toolstack/cpupool-numa-split.ts).
 * - Each operation is checked completely before anything changes, so a refused call
 *   changes nothing.
 *
 * This class is also the SchedHooks the hypervisor core calls (sched-hooks.ts).
 */
import type { Clock } from '../clock';
import { CpuMask } from '../cpumask';
import { XenError } from '../errno';
import type { Kconfig } from '../kconfig';
import type { Rng } from '../rng';
import type { SchedDomain, SchedHooks, SchedVcpu } from '../sched-hooks';
import type { Topology } from '../topology';
import { SchedCore, SchedDomainRec, type Unit } from './core';
import { Credit2Scheduler, type Credit2Options } from './credit2';
import { CreditScheduler } from './credit';
import { RtdsScheduler } from './rtds';
import { NullScheduler } from './null';
import { LatencyStats, type DomainSchedMetrics, type PoolSchedMetrics, type RunstateTimes } from './metrics';
import { pbl } from './dump-format';
import { vcpuSetAffinity } from './unit-migrate';
import { scheduleDump } from './schedule-dump';
import {
  SCHEDULER_DESC,
  SCHEDULER_NAMES,
  type DomainSchedOp,
  type DomainSchedResult,
  type PoolSchedOp,
  type PoolSchedParams,
  type Scheduler,
  type SchedulerName,
} from './scheduler';
import type { WorkloadSpec } from './workload';

export interface PoolInfo {
  poolId: number;
  name: string;
  sched: SchedulerName;
  schedId: number;
  nDom: number;
  cpus: number[];
}

export interface CpuPoolOptions {
  /** The boot scheduler (sched=); default credit2 (CONFIG_SCHED_DEFAULT since 4.12). */
  sched?: SchedulerName;
  credit2?: Credit2Options;
  kconfig?: Kconfig;
}

export class Pool {
  readonly cpus: CpuMask;
  readonly domains = new Set<SchedDomainRec>();
  private list: number[] | null = null;
  /** The pool's pCPUs as an array (cached until they change). */
  cpuList(): number[] {
    return (this.list ??= [...this.cpus]);
  }
  cpusChanged(): void {
    this.list = null;
  }
  constructor(
    readonly id: number,
    public name: string,
    readonly sched: Scheduler,
    nrCpus: number,
  ) {
    this.cpus = new CpuMask(nrCpus);
  }
}

const SCHED_KCONFIG: Record<SchedulerName, string> = {
  credit: 'SCHED_CREDIT',
  credit2: 'SCHED_CREDIT2',
  rtds: 'SCHED_RTDS',
  null: 'SCHED_NULL',
};

export class CpuPools implements SchedHooks {
  readonly core: SchedCore;
  private readonly pools = new Map<number, Pool>();
  private readonly recs = new Map<number, SchedDomainRec>();
  readonly defaultSched: SchedulerName;

  constructor(
    readonly clock: Clock,
    rng: Rng,
    readonly topology: Topology,
    private readonly opts: CpuPoolOptions = {},
  ) {
    this.core = new SchedCore(clock, rng.fork('sched'), topology.nrCpus);
    let s = opts.sched ?? 'credit2';
    if (!SCHEDULER_NAMES.includes(s) || !this.schedBuilt(s)) s = 'credit2';
    this.defaultSched = s;
    const p0 = new Pool(0, 'Pool-0', this.makeScheduler(s), topology.nrCpus);
    this.pools.set(0, p0);
    for (let c = 0; c < topology.nrCpus; c++) {
      p0.cpus.set(c);
      this.core.assignPcpu(c, 0, p0.sched);
    }
    p0.cpusChanged();
  }

  private schedBuilt(s: SchedulerName): boolean {
    return this.opts.kconfig ? this.opts.kconfig.enabled(SCHED_KCONFIG[s]) : true;
  }

  makeScheduler(name: SchedulerName): Scheduler {
    switch (name) {
      case 'credit2':
        return new Credit2Scheduler(this.core, this.clock, this.topology, this.opts.credit2);
      case 'credit':
        return new CreditScheduler(this.core, this.clock, this.topology);
      case 'rtds':
        return new RtdsScheduler(this.core, this.clock);
      case 'null':
        return new NullScheduler(this.core, this.core.rng);
    }
  }

  // --- SchedHooks ------------------------------------------------------------------

  insertDomain(d: SchedDomain, poolId: number): void {
    const pool = this.pool(poolId);
    if (pool.cpus.empty) throw new XenError('ENOENT', `cpupool ${poolId} has no CPUs`);
    const rec = new SchedDomainRec(d, poolId);
    d.schedPriv = rec;
    this.recs.set(d.domid, rec);
    d.cpupoolId = poolId;
    pool.sched.insertDomain(rec);
    pool.domains.add(rec);
    for (const v of d.vcpus) this.core.newUnit(v, rec);
    this.initialPlacement(rec.units, pool);
    for (const u of rec.units) this.core.attach(u, pool.sched, pool.cpus);
  }

  /** vCPUs placed on each pCPU at creation (for default_vcpu0_location). */
  private placed: Int32Array | null = null;

  /**
   * Where new vCPUs start, as Xen does it: vCPU 0 on the pool's pCPU with the fewest
   * vCPUs placed (default_vcpu0_location), the next ones cycling on from there.
   */
  private initialPlacement(units: Unit[], pool: Pool): void {
    const placed = (this.placed ??= new Int32Array(this.topology.nrCpus));
    const cpus = pool.cpuList();
    if (cpus.length === 0) return;
    let i = 0;
    for (let k = 1; k < cpus.length; k++) if (placed[cpus[k]!]! < placed[cpus[i]!]!) i = k;
    for (const u of units) {
      const c = cpus[i % cpus.length]!;
      u.processor = c;
      placed[c]!++;
      i++;
    }
  }

  removeDomain(d: SchedDomain): void {
    const rec = d.schedPriv as SchedDomainRec | undefined;
    if (!rec) return;
    const pool = this.pools.get(rec.poolId)!;
    for (const u of rec.units) {
      this.core.detach(u);
      this.core.freeUnit(u);
    }
    pool.sched.removeDomain(rec);
    pool.domains.delete(rec);
    this.recs.delete(d.domid);
  }

  wake(v: SchedVcpu): void {
    const u = v.schedPriv as Unit | undefined;
    if (u) this.core.wake(u);
  }

  sleep(v: SchedVcpu): void {
    const u = v.schedPriv as Unit | undefined;
    if (u) this.core.sleep(u);
  }

  /**
   * XEN_DOMCTL_setvcpuaffinity's vcpu_set_hard_affinity() then vcpu_set_soft_affinity(),
   * each a vcpu_set_affinity() that moves the unit (unit-migrate.ts); EBUSY while its
   * affinity is broken, before anything changed.
   */
  setVcpuAffinity(v: SchedVcpu, hard: CpuMask | null, soft: CpuMask | null): void {
    const u = v.schedPriv as Unit | undefined;
    if (!u) {
      if (hard) v.hardAffinity.assign(hard);
      if (soft) v.softAffinity.assign(soft);
      return;
    }
    const pool = this.pools.get(u.dom.poolId)!;
    if (hard) vcpuSetAffinity(this.core, u, pool.cpus, 'hard', hard);
    if (soft) vcpuSetAffinity(this.core, u, pool.cpus, 'soft', soft);
  }

  insertVcpu(d: SchedDomain, v: SchedVcpu): void {
    const rec = d.schedPriv as SchedDomainRec;
    const pool = this.pools.get(rec.poolId)!;
    const u = this.core.newUnit(v, rec);
    this.core.attach(u, pool.sched, pool.cpus);
  }

  // --- lookups ---------------------------------------------------------------------

  pool(poolId: number): Pool {
    const p = this.pools.get(poolId);
    if (!p) throw new XenError('ENOENT', `cpupool ${poolId} does not exist`);
    return p;
  }

  poolByName(name: string): Pool | undefined {
    for (const p of this.pools.values()) if (p.name === name) return p;
    return undefined;
  }

  get poolIds(): number[] {
    return [...this.pools.keys()].sort((a, b) => a - b);
  }

  info(poolId: number): PoolInfo {
    const p = this.pool(poolId);
    return { poolId: p.id, name: p.name, sched: p.sched.name, schedId: p.sched.id, nDom: p.domains.size, cpus: [...p.cpus] };
  }

  list(): PoolInfo[] {
    return this.poolIds.map((id) => this.info(id));
  }

  freeCpus(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.topology.nrCpus; c++) if (this.core.poolOf[c] === -1) out.push(c);
    return out;
  }

  unitsOf(d: SchedDomain): Unit[] {
    return (d.schedPriv as SchedDomainRec | undefined)?.units ?? [];
  }

  /** The scheduling units of a domain by id (empty if it has none). */
  unitsOfDomid(domid: number): Unit[] {
    return this.recs.get(domid)?.units ?? [];
  }

  // --- pool operations (XEN_SYSCTL_CPUPOOL_OP_*) -----------------------------------

  private checkCpu(cpu: number): void {
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.topology.nrCpus) {
      throw new XenError('EINVAL', `CPU ${cpu} does not exist (0-${this.topology.nrCpus - 1})`);
    }
  }

  private checkName(name: string, except?: Pool): void {
    if (typeof name !== 'string' || name === '' || name.length > 255) throw new XenError('EINVAL', `bad cpupool name ${JSON.stringify(name)}`);
    const other = this.poolByName(name);
    if (other && other !== except) throw new XenError('EEXIST', `Pool name "${name}" already exists`);
  }

  /** CREATE: a new pool with its own scheduler instance, optionally with free pCPUs. */
  create(name: string, sched: SchedulerName = this.defaultSched, cpus: number[] = [], poolId?: number): number {
    this.checkName(name);
    if (!SCHEDULER_NAMES.includes(sched)) throw new XenError('EINVAL', `unknown scheduler ${JSON.stringify(sched)}`);
    if (!this.schedBuilt(sched)) throw new XenError('EINVAL', `scheduler ${sched} is not built in (CONFIG_${SCHED_KCONFIG[sched]})`);
    let id = poolId;
    if (id === undefined) {
      id = 1;
      while (this.pools.has(id)) id++;
    } else {
      if (!Number.isInteger(id) || id < 0) throw new XenError('EINVAL', `bad cpupool id ${id}`);
      if (this.pools.has(id)) throw new XenError('EEXIST', `cpupool ${id} already exists`);
    }
    const uniq = [...new Set(cpus)];
    for (const c of uniq) {
      this.checkCpu(c);
      if (this.core.poolOf[c] !== -1) throw new XenError('ENODEV', `cpu ${c} illegal or not free`);
    }
    const p = new Pool(id, name, this.makeScheduler(sched), this.topology.nrCpus);
    this.pools.set(id, p);
    for (const c of uniq) {
      p.cpus.set(c);
      this.core.assignPcpu(c, id, p.sched);
    }
    p.cpusChanged();
    return id;
  }

  /** DESTROY: only a pool without domains and pCPUs (EBUSY otherwise). */
  destroy(poolId: number): void {
    const p = this.pool(poolId);
    if (poolId === 0) throw new XenError('EINVAL', 'Pool-0 cannot be destroyed');
    if (p.domains.size > 0) throw new XenError('EBUSY', `cpupool ${p.name} still has ${p.domains.size} domain(s)`);
    if (!p.cpus.empty) throw new XenError('EBUSY', `cpupool ${p.name} still has CPUs ${p.cpus.toString()}; remove them first`);
    this.pools.delete(poolId);
  }

  rename(poolId: number, name: string): void {
    const p = this.pool(poolId);
    this.checkName(name, p);
    p.name = name;
  }

  /** ADDCPU: a free pCPU joins the pool. */
  addCpu(poolId: number, cpus: number | number[]): void {
    const p = this.pool(poolId);
    const list = [...new Set(Array.isArray(cpus) ? cpus : [cpus])];
    for (const c of list) {
      this.checkCpu(c);
      if (this.core.poolOf[c] !== -1) throw new XenError('ENODEV', `cpu ${c} illegal or not free (in cpupool ${this.core.poolOf[c]})`);
    }
    this.reshape(p, list, []);
  }

  /** RMCPU: the pCPU leaves the pool and becomes free. */
  removeCpu(poolId: number, cpus: number | number[]): void {
    const p = this.pool(poolId);
    const list = [...new Set(Array.isArray(cpus) ? cpus : [cpus])];
    for (const c of list) {
      this.checkCpu(c);
      if (!p.cpus.has(c)) throw new XenError('EINVAL', `cpu ${c} is not in cpupool ${p.name}`);
      if (poolId === 0 && c === 0) throw new XenError('EINVAL', 'CPU 0 cannot be removed from cpupool 0');
    }
    if (list.length === p.cpus.weight && p.domains.size > 0) {
      throw new XenError('EBUSY', `cannot remove the last CPU of cpupool ${p.name}: it has ${p.domains.size} domain(s)`);
    }
    this.reshape(p, [], list);
  }

  /** Change a pool's pCPUs: its units step out, the pCPUs move, the units come back. */
  private reshape(p: Pool, add: number[], remove: number[]): void {
    const units: Unit[] = [];
    for (const rec of p.domains) for (const u of rec.units) units.push(u);
    for (const u of units) this.core.detach(u);
    for (const c of remove) {
      this.core.releasePcpu(c);
      p.cpus.clear(c);
    }
    for (const c of add) {
      p.cpus.set(c);
      this.core.assignPcpu(c, p.id, p.sched);
    }
    p.cpusChanged();
    for (const u of units) this.core.attach(u, p.sched, p.cpus);
  }

  /** MOVEDOMAIN. */
  moveDomain(d: SchedDomain, poolId: number): void {
    const to = this.pools.get(poolId);
    if (!to || to.cpus.empty) throw new XenError('ENOENT', `cpupool ${poolId} does not exist or has no CPUs`);
    if (d.domid === 0) throw new XenError('EPERM', "Domain-0 can't be moved to another cpu-pool");
    const rec = d.schedPriv as SchedDomainRec;
    if (rec.poolId === poolId) return;
    // sched_move_domain(): not while a vCPU's affinity is broken (its pCPUs left the pool;
    // it is restored when one comes back)
    const broken = rec.units.find((u) => u.affBroken);
    if (broken) throw new XenError('EBUSY', `vCPU ${broken.vcpuId} of domain ${d.domid} has its affinity broken`);
    const from = this.pools.get(rec.poolId)!;
    for (const u of rec.units) this.core.detach(u);
    from.sched.removeDomain(rec);
    from.domains.delete(rec);
    rec.poolId = poolId;
    d.cpupoolId = poolId;
    // scheduler data does not survive a change of scheduler instance
    rec.priv = null;
    for (const u of rec.units) u.priv = null;
    to.sched.insertDomain(rec);
    to.domains.add(rec);
    // sched_move_domain() gives every unit all pCPUs as its hard and soft affinity, and
    // places the units on the new pool's pCPUs in turn, from its first (cpumask_cycle),
    // before the scheduler's insert_unit (which may pick another, as res_pick does)
    const all = CpuMask.all(this.topology.nrCpus);
    let p = to.cpus.first();
    for (const u of rec.units) {
      u.vcpu.hardAffinity.assign(all);
      u.vcpu.softAffinity.assign(all);
      u.processor = p;
      p = to.cpus.cycle(p);
    }
    for (const u of rec.units) this.core.attach(u, to.sched, to.cpus);
  }

  // --- scheduler parameters --------------------------------------------------------

  adjustDomain(d: SchedDomain, op: DomainSchedOp, expect?: SchedulerName): DomainSchedResult {
    const rec = d.schedPriv as SchedDomainRec;
    const pool = this.pools.get(rec.poolId)!;
    if (expect && pool.sched.name !== expect) {
      throw new XenError('EINVAL', `domain ${d.domid} is in cpupool ${pool.name} scheduled by ${pool.sched.name}, not ${expect}`);
    }
    return pool.sched.adjustDomain(rec, op);
  }

  adjustGlobal(poolId: number, op: PoolSchedOp, expect?: SchedulerName): PoolSchedParams {
    const pool = this.pool(poolId);
    if (expect && pool.sched.name !== expect) {
      throw new XenError('EINVAL', `cpupool ${pool.name} is scheduled by ${pool.sched.name}, not ${expect}`);
    }
    return pool.sched.adjustGlobal(op);
  }

  setWorkload(d: SchedDomain, vcpu: number | 'all', spec: WorkloadSpec): void {
    const units = this.unitsOf(d);
    const list = vcpu === 'all' ? units : units.filter((u) => u.vcpuId === vcpu);
    if (list.length === 0) throw new XenError('EINVAL', `domain ${d.domid} has no vCPU ${vcpu}`);
    for (const u of list) this.core.setWorkload(u, spec);
  }

  // --- metrics ---------------------------------------------------------------------

  domainMetrics(d: SchedDomain & { name: string }): DomainSchedMetrics {
    const rec = d.schedPriv as SchedDomainRec;
    const lat = new LatencyStats();
    const rs: RunstateTimes = { running: 0, runnable: 0, blocked: 0, offline: 0 };
    let dm = 0;
    let jm = 0;
    for (const u of rec.units) {
      const m = this.core.unitMetrics(u);
      rs.running += m.runstate.running;
      rs.runnable += m.runstate.runnable;
      rs.blocked += m.runstate.blocked;
      rs.offline += m.runstate.offline;
      this.core.mergeLatency(u, lat);
      dm += m.deadlineMisses;
      jm += m.jobMisses;
    }
    return { domid: d.domid, name: d.name, poolId: rec.poolId, cpuTime: rs.running, runstate: rs, wakeLatency: lat.summary(), deadlineMisses: dm, jobMisses: jm };
  }

  poolMetrics(poolId: number): PoolSchedMetrics {
    const p = this.pool(poolId);
    const lat = new LatencyStats();
    let cpuTime = 0;
    let dm = 0;
    let jm = 0;
    for (const rec of p.domains) {
      for (const u of rec.units) {
        const m = this.core.unitMetrics(u);
        cpuTime += m.cpuTime;
        dm += m.deadlineMisses;
        jm += m.jobMisses;
        this.core.mergeLatency(u, lat);
      }
    }
    let busy = 0;
    for (const c of p.cpus) busy += this.core.pcpuBusy(c);
    const now = this.clock.now;
    const n = p.cpus.weight;
    return {
      poolId,
      name: p.name,
      sched: p.sched.name,
      nCpus: n,
      nDom: p.domains.size,
      cpuTime,
      utilisation: now > 0 && n > 0 ? busy / (now * n) : 0,
      wakeLatency: lat.summary(),
      deadlineMisses: dm,
      jobMisses: jm,
    };
  }

  /**
   * dump_runq() of cpupool.c (debug-key 'r'): the online and free pCPUs, then each pool in
   * id order (cpupool_list) with its pCPUs, granularity and schedule_dump(). Free pCPUs go
   * through the boot scheduler's hooks, as schedule_dump(NULL) uses `ops`: Pool-0's
   * scheduler here (the same scheduler; the hooks it calls there read no pool state).
   */
  dump(): string[] {
    const topo = this.topology;
    const curr = (c: number): Unit | null => this.core.curr(c);
    const out = ['sched_smt_power_savings: disabled', `NOW=${this.clock.now}`, `Online Cpus: ${pbl(Array.from({ length: topo.nrCpus }, (_, c) => c))}`];
    const free = this.freeCpus();
    if (free.length > 0) {
      out.push(`Free Cpus: ${pbl(free)}`, ...scheduleDump(this.core, this.pool(0).sched.dump({ domains: [], topo, curr }), free, null));
    }
    for (const id of this.poolIds) {
      const p = this.pool(id);
      const head = `Scheduler: ${SCHEDULER_DESC[p.sched.name]} (${p.sched.name})`;
      // sched_gran_print(): the engine schedules single vCPUs (sched-gran=cpu)
      out.push(`Cpupool ${id}:`, `Cpus: ${pbl(p.cpuList())}`, 'Scheduling granularity: cpu, 1 CPU per sched-resource');
      out.push(...scheduleDump(this.core, p.sched.dump({ domains: [...p.domains], topo, curr }), p.cpuList(), head));
    }
    return out;
  }
}
