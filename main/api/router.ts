/**
 * The router: the one place requests enter the services. Each request's method must be
 * in the contract and its params must pass the method's schema before a handler runs;
 * anything else gets a typed error (EBADREQ, ENOMETHOD) and never throws out of here.
 */
import { join } from 'node:path';
import { HOST_PRESETS } from '../../engine/hypervisor/host-presets';
import { NotImplementedError, ToolstackError } from '../../engine/toolstack/toolstack-error';
import { cpupoolNumaSplit } from '../../engine/toolstack/cpupool-numa-split';
import { DomainStatsService } from '../services/domain-stats';
import { HostStatsService, statsPart } from '../services/host-stats';
import { ConsoleService } from '../services/consoles';
import type { Lab } from '../services/lab';
import { API_VERSION, isMethodName, isTopicName, methods, topics, type MethodName, type Params, type Result, type TopicItem, type TopicName, type TopicParams } from './contract';
import { keptConfigOf, maxMemory, physinfoOf, pinVcpus } from './embedded-only';
import { SaveImages } from '../services/save-images';
import { CoreDumps } from '../services/core-dumps';
import { createWithImages } from '../services/disk-images';
import type { ApiError } from './envelope';

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ApiError };

type Handlers = { [M in MethodName]: (p: Params<M>) => Promise<Result<M>> };
/** A source pushes items; push() is false while the client is behind, onDrain tells when it caught up. */
type TopicSources = { [T in TopicName]: (p: TopicParams<T>, push: (item: TopicItem<T>) => boolean, onDrain: (fn: () => void) => void) => () => void };

export interface RouterContext {
  lab: Lab;
  mode: 'electron' | 'serve';
  appVersion: string;
  /** Check results against the contract too (tests); requests are always checked. */
  checkResults?: boolean;
  /** The console service; by default one over `lab` that paces its embedded clocks. */
  consoles?: ConsoleService;
}

export class Router {
  private readonly handlers: Handlers;
  private readonly sources: TopicSources;
  private readonly stats: HostStatsService;
  private readonly domainStats: DomainStatsService;
  readonly consoles: ConsoleService;

  constructor(private readonly ctx: RouterContext) {
    const lab = ctx.lab;
    const images = new SaveImages(lab.folder);
    const dumps = new CoreDumps(lab.folder);
    this.stats = new HostStatsService(lab);
    this.domainStats = new DomainStatsService(lab);
    const consoles = ctx.consoles ?? new ConsoleService(lab, { pace: true, ...(lab.folder !== undefined ? { logDir: join(lab.folder, 'logs', 'console') } : {}) });
    this.consoles = consoles;
    if (!ctx.consoles) void consoles.start();
    this.handlers = {
      'app.info': async () => ({ apiVersion: API_VERSION, appVersion: ctx.appVersion, mode: ctx.mode, engine: 'XenDeck simulated Xen 4.17' }),
      'host.list': async () => lab.list(),
      'host.add': async ({ id, ssh, sudo, trustFingerprint }) => (await lab.addRemote({ id, kind: 'remote', ssh, ...(sudo !== undefined ? { sudo } : {}) }, trustFingerprint), {}),
      'host.addEmbedded': async (p) => (lab.addEmbedded({ id: p.id, preset: p.preset, seed: p.seed ?? 1, ...(p.topology ? { topology: p.topology } : {}) }), {}),
      'host.presets': async () =>
        HOST_PRESETS.map((h) => ({ id: h.id, label: h.label, nrCpus: h.topology.sockets * h.topology.coresPerSocket * h.topology.threadsPerCore, memoryMiB: h.topology.memoryMiB })),
      'host.remove': async (p) => (await lab.remove(p.hostId), {}),
      'host.summary': async (p) => lab.host(p.hostId).summary(),
      'host.topology': async (p) => lab.host(p.hostId).topology(),
      'xenstore.list': async (p) => lab.host(p.hostId).xenstoreList(p.path),
      'cpu.policy': async (p) => lab.host(p.hostId).cpuPolicy(p.domain),
      'host.dmesg': async (p) => ({ text: await lab.host(p.hostId).dmesg({ clear: p.clear ?? false }) }),
      'domain.list': async (p) => lab.host(p.hostId).listDomains(),
      'domain.get': async (p) => lab.host(p.hostId).domain(p.domain),
      'domain.create': async ({ hostId, newImages, ...req }) => createWithImages(lab.host(hostId), lab.folder, req, newImages ?? [], (m) => lab.hostLog(hostId, m)),
      'domain.pause': async (p) => (await lab.host(p.hostId).pause(p.domain), {}),
      'domain.unpause': async (p) => (await lab.host(p.hostId).unpause(p.domain), {}),
      'domain.shutdown': async (p) => (await lab.host(p.hostId).shutdown(p.domain, { reboot: p.reboot ?? false }), {}),
      'domain.destroy': async (p) => (await lab.host(p.hostId).destroy(p.domain), {}),
      'domain.config': async (p) => lab.host(p.hostId).domainConfigText(p.domain),
      'domain.devices': async (p) => lab.host(p.hostId).domainDevices(p.domain),
      'domain.vcpus': async (p) => lab.host(p.hostId).vcpuList(p.domain),
      'domain.sched': async (p) => lab.host(p.hostId).domainSched(p.domain),
      'domain.setSched': async (p) => (await lab.host(p.hostId).setDomainSched(p.domain, p.params, p.expect), {}),
      'domain.rename': async (p) => (await lab.host(p.hostId).renameDomain(p.domain, p.name), {}),
      'domain.setMemoryTarget': async (p) => (await lab.host(p.hostId).setMemoryTarget(p.domain, p.targetKiB), {}),
      'domain.setOnlineVcpus': async (p) => (await lab.host(p.hostId).setOnlineVcpus(p.domain, p.count), {}),
      'domain.setVcpuSched': async (p) => (await lab.host(p.hostId).setVcpuSched(p.domain, p.vcpus), {}),
      'domain.save': async (p) => {
        const file = images.path(p.hostId, p.name);
        const r = await lab.host(p.hostId).save(p.domain, file, { checkpoint: p.checkpoint ?? false, paused: p.paused ?? false });
        return { name: p.name, ...r };
      },
      'domain.restore': async (p) => lab.host(p.hostId).restore(images.path(p.hostId, p.name), { paused: p.paused ?? false }),
      'save.list': async (p) => (lab.host(p.hostId), { dir: images.dir(p.hostId), images: images.list(p.hostId) }),
      'domain.trigger': async (p) => (await lab.host(p.hostId).sendTrigger(p.domain, p.trigger, p.vcpu ?? 0), {}),
      'host.debugKeys': async (p) => (await lab.host(p.hostId).debugKeys(p.keys), {}),
      'domain.sysrq': async (p) => (await lab.host(p.hostId).sendSysrq(p.domain, p.key), {}),
      'domain.blockAttach': async (p) => (await lab.host(p.hostId).blockAttach(p.domain, p.spec), {}),
      'domain.blockDetach': async (p) => (await lab.host(p.hostId).blockDetach(p.domain, p.vdev, { force: p.force ?? false }), {}),
      'domain.networkAttach': async (p) => lab.host(p.hostId).networkAttach(p.domain, p.args),
      'domain.networkDetach': async (p) => (await lab.host(p.hostId).networkDetach(p.domain, p.dev), {}),
      'domain.coreDump': async (p) => ({ name: p.name, ...(await lab.host(p.hostId).coreDump(p.domain, dumps.path(p.hostId, p.name))) }),
      'dump.list': async (p) => (lab.host(p.hostId), { dir: dumps.dir(p.hostId), files: dumps.list(p.hostId) }),
      'domain.migratePool': async (p) => (await lab.host(p.hostId).migrateToCpupool(p.domain, p.pool), {}),
      'cpupool.list': async (p) => lab.host(p.hostId).listCpupools(),
      'cpupool.create': async (p) => lab.host(p.hostId).createCpupool(p.name, p.sched, p.cpus),
      'cpupool.destroy': async (p) => (await lab.host(p.hostId).destroyCpupool(p.pool), {}),
      'cpupool.addCpus': async (p) => (await lab.host(p.hostId).cpupoolAddCpus(p.pool, p.cpus), {}),
      'cpupool.removeCpus': async (p) => (await lab.host(p.hostId).cpupoolRemoveCpus(p.pool, p.cpus), {}),
      'cpupool.rename': async (p) => (await lab.host(p.hostId).renameCpupool(p.pool, p.name), {}),
      'cpupool.numaSplit': async (p) => cpupoolNumaSplit(lab.host(p.hostId)),
      'cpupool.sched': async (p) => lab.host(p.hostId).poolSched(p.pool),
      'cpupool.setSched': async (p) => (await lab.host(p.hostId).setPoolSched(p.pool, p.params), {}),
      'console.input': async (p) => (await consoles.input(p.hostId, p.domid, p.data), {}),
      'host.physinfo': async (p) => physinfoOf(lab.host(p.hostId)),
      'domain.keptConfig': async (p) => keptConfigOf(lab.host(p.hostId), p.domain),
      'domain.setVcpuAffinity': async (p) => (await pinVcpus(lab.host(p.hostId), p.domain, p.vcpu, p.hard, p.soft), {}),
      'domain.setMaxMemory': async (p) => (await maxMemory(lab.host(p.hostId), p.domain, p.maxKiB), {}),
    };
    this.sources = {
      events: (p, push) => {
        if (p.hostId !== undefined) lab.host(p.hostId);
        return lab.subscribe((e) => {
          if (p.hostId === undefined || e.hostId === p.hostId) push(e);
        });
      },
      stats: (p, push) => this.stats.subscribe(p.hostId, (s) => push(statsPart(s, p))),
      domainStats: (p, push) => this.domainStats.subscribe(p.hostId, p.domid, push),
      console: (p, push, onDrain) => consoles.subscribe(p.hostId, p.domid, push, onDrain),
      xenstoreWatch: (p, push) => {
        const h = lab.host(p.hostId);
        if (!h.watchXenstore) throw new NotImplementedError('live xenstore watches on this host');
        return h.watchXenstore(p.path, push);
      },
    };
  }

  /** Stops the services' timers (statistics sampling). */
  close(): void {
    this.stats.close();
    this.domainStats.close();
    if (!this.ctx.consoles) this.consoles.stop();
  }

  async request(method: string, params: unknown): Promise<Outcome> {
    if (!isMethodName(method)) return { ok: false, error: { code: 'ENOMETHOD', message: `unknown method "${method}"` } };
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) return { ok: false, error: badParams(method, parsed.error.issues) };
    try {
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown>;
      const result = await handler(parsed.data);
      if (this.ctx.checkResults) methods[method].result.parse(result);
      return { ok: true, result };
    } catch (e) {
      return { ok: false, error: toApiError(e) };
    }
  }

  /** Start a subscription; returns its stop function, or the error that refused it. */
  subscribe(topic: string, params: unknown, push: (item: unknown) => unknown, onDrain: (fn: () => void) => void = (fn) => fn()): { stop: () => void } | { error: ApiError } {
    if (!isTopicName(topic)) return { error: { code: 'ENOTOPIC', message: `unknown topic "${topic}"` } };
    const parsed = topics[topic].params.safeParse(params ?? {});
    if (!parsed.success) return { error: badParams(topic, parsed.error.issues) };
    try {
      const source = this.sources[topic] as (p: unknown, push: (item: unknown) => boolean, onDrain: (fn: () => void) => void) => () => void;
      return { stop: source(parsed.data, (item) => push(item) !== false, onDrain) };
    } catch (e) {
      return { error: toApiError(e) };
    }
  }
}

function badParams(what: string, issues: readonly { path: PropertyKey[]; message: string }[]): ApiError {
  const detail = issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(params)'}: ${i.message}`).join('; ');
  return { code: 'EBADREQ', message: `bad parameters for ${what}: ${detail}` };
}

export function toApiError(e: unknown): ApiError {
  const t = ToolstackError.from(e);
  return { code: t.code, message: t.message, ...(t.hint ? { hint: t.hint } : {}), ...(t.where ? { where: t.where } : {}) };
}
