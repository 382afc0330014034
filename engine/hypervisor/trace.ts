/**
 * The hypervisor's typed event stream: what happened to domains, and periodic summaries
 * of runstates and host load, for the toolstack and for replay checks.
 *
 * Xen has two sources a toolstack listens to: VIRQ_DOM_EXC, the global virq Xen raises
 * to dom0 when a domain shuts down or dies (xen/common/domain.c, domain_shutdown() and
 * domain_destroy() call send_global_virq(VIRQ_DOM_EXC)), after which xenstored fires
 * @releaseDomain and libxl re-reads getdomaininfo; and xentrace's trace buffers, whose
 * TRC_SCHED_* records (TRC_SCHED_DOM_ADD, TRC_SCHED_DOM_REM, runstate changes) tools
 * like xenalyze summarise. This stream carries the same facts as typed records at
 * simulated times: each domain life-cycle change as it happens, and — only while a
 * subscriber asks for them — runstate and host summaries every `sampleEvery` ns, so a
 * host nobody watches pays nothing. Because the engine is deterministic, the sequence of
 * records is a function of the seed and the calls: `TraceHash` folds it into a hash that
 * two replays must share.
 */
import type { Clock, STime, Timer } from './clock';
import type { DomainType, ShutdownReason } from './domain';
import type { Runstate } from './sched-hooks';

/** A domain's life-cycle state as getdomaininfo's flags give it. */
export type DomainStateName = 'running' | 'paused' | 'shutdown' | 'dying';

export type XenEvent =
  | { kind: 'domain.created'; at: STime; domid: number; uuid: string; name: string; type: DomainType; maxVcpus: number }
  | { kind: 'domain.state'; at: STime; domid: number; state: DomainStateName; pauseCount: number; reason?: ShutdownReason }
  | { kind: 'domain.destroyed'; at: STime; domid: number }
  | { kind: 'runstate.summary'; at: STime; periodNs: STime; domains: RunstateDelta[] }
  | { kind: 'host.stats'; at: STime; periodNs: STime; nrCpus: number; busyNs: number; nrDomains: number; freePages: number; totalPages: number };

/** Time each of a domain's vCPUs spent in each runstate during the last period, summed. */
export interface RunstateDelta {
  domid: number;
  ns: Record<Runstate, number>;
}

/** What the stream needs from the hypervisor to build the periodic summaries. */
export interface TraceSource {
  readonly clock: Clock;
  /** Cumulative runstate times per live domain (as XEN_DOMCTL_getvcpuinfo sums them). */
  runstateTotals(): Map<number, Record<Runstate, number>>;
  hostCounters(): { nrCpus: number; nrDomains: number; freePages: number; totalPages: number };
}

export interface SubscribeOptions {
  /** Emit runstate.summary and host.stats every this many simulated ns. */
  sampleEvery?: STime;
}

type Listener = (e: XenEvent) => void;

interface Subscription {
  listener: Listener;
  timer?: Timer;
  last?: Map<number, Record<Runstate, number>>;
}

export class XenEventStream {
  private readonly subs = new Set<Subscription>();

  constructor(private readonly source: TraceSource) {}

  /** True when someone listens: emitters skip building records otherwise. */
  get active(): boolean {
    return this.subs.size > 0;
  }

  subscribe(listener: Listener, opts: SubscribeOptions = {}): () => void {
    const sub: Subscription = { listener };
    const every = opts.sampleEvery;
    if (every !== undefined) {
      if (!(every > 0)) throw new RangeError(`sampleEvery must be > 0 ns, got ${every}`);
      sub.last = this.source.runstateTotals();
      sub.timer = this.source.clock.every(every, (now) => this.sample(sub, every, now));
    }
    this.subs.add(sub);
    return () => {
      sub.timer?.cancel();
      this.subs.delete(sub);
    };
  }

  emit(e: XenEvent): void {
    for (const s of this.subs) s.listener(e);
  }

  private sample(sub: Subscription, periodNs: STime, now: STime): void {
    const totals = this.source.runstateTotals();
    const domains: RunstateDelta[] = [];
    let busyNs = 0;
    for (const [domid, t] of totals) {
      const p = sub.last?.get(domid);
      const ns = {
        running: t.running - (p?.running ?? 0),
        runnable: t.runnable - (p?.runnable ?? 0),
        blocked: t.blocked - (p?.blocked ?? 0),
        offline: t.offline - (p?.offline ?? 0),
      };
      busyNs += ns.running;
      domains.push({ domid, ns });
    }
    sub.last = totals;
    sub.listener({ kind: 'runstate.summary', at: now, periodNs, domains });
    sub.listener({ kind: 'host.stats', at: now, periodNs, busyNs, ...this.source.hostCounters() });
  }
}

/**
 * FNV-1a (32-bit) over each record's canonical JSON: two runs with the same seed and
 * the same calls produce the same value, any divergence changes it.
 */
export class TraceHash {
  private h = 0x811c9dc5;
  count = 0;

  add(e: XenEvent): void {
    const s = JSON.stringify(e);
    let h = this.h;
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    this.h = h >>> 0;
    this.count++;
  }

  get hex(): string {
    return this.h.toString(16).padStart(8, '0');
  }
}
