/**
 * The host of a running XenDeck, reached over its local api socket (issue 5: xl talks to
 * the running console; main/serve/local-socket.ts). Every XlHost method is one api
 * request for one host id; an api error comes back as the ToolstackError the embedded
 * host would have thrown (same code, message and hint), so xl's commands word it as
 * they word a lab's. The running XenDeck keeps the state: nothing is journalled here.
 */
import { LocalApiClient, LocalApiError } from '../../../main/api/node-client';
import type { MethodName, Params, Result } from '../../../main/api/contract';
import type { Physinfo } from '../../hypervisor/xen';
import type { KeptConfig } from '../../toolstack/embedded-host';
import type { DomainRef, ShutdownOptions, TriggerName } from '../../toolstack/host-api';
import type { XenstoreListing } from '../../toolstack/host-xenstore';
import type { DomainDevices } from '../../toolstack/types';
import { NotImplementedError, ToolstackError, type ToolstackErrorCode } from '../../toolstack/toolstack-error';
import type { SaveOptions, SaveResult } from '../../toolstack/migration/domain-save';
import type { RestoreOptions, RestoreResult } from '../../toolstack/migration/domain-restore';
import type { CoreDumpResult } from '../../toolstack/coredump/domain-dumpcore';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type {
  CpuPolicySummary,
  CpupoolSummary,
  CreateDomainRequest,
  CreateDomainResult,
  DomainSample,
  DomainSchedInfo,
  DomainSchedParamsT,
  DomainSummary,
  HostSample,
  HostSummary,
  HostTopology,
  PoolSchedInfoT,
  PoolSchedParamsT,
  SchedulerNameT,
  ToolstackEvent,
  VcpuSchedParamsT,
  VcpuSummary,
} from '../../toolstack/types';
import type { XlHost } from './context';

/** A save image name for one transfer between xl and the running XenDeck. */
function transferName(): string {
  return `xl-transfer-${process.pid}-${Date.now().toString(36)}`;
}

/** A LocalApiError as the toolstack's own error. */
export function fromApiError(e: unknown): unknown {
  if (!(e instanceof LocalApiError)) return e;
  return new ToolstackError(e.code as ToolstackErrorCode, e.message, e.hint, e.where);
}

export class ApiHost implements XlHost {
  readonly kind = 'embedded' as const;

  constructor(
    private readonly client: LocalApiClient,
    readonly id: string,
  ) {}

  attachConsole(domid: number, onOutput: (text: string) => void, onEnd: (why?: string) => void): { input(data: string): Promise<void>; detach(): void } {
    const stop = this.client.subscribe(
      'console',
      { hostId: this.id, domid },
      (items) => items.forEach(onOutput),
      (e) => onEnd(e?.message),
    );
    return {
      input: async (data) => {
        await this.client.request('console.input', { hostId: this.id, domid, data }).catch((e: unknown) => {
          throw fromApiError(e);
        });
      },
      detach: stop,
    };
  }

  /** Connects to `socketPath`; rejects with a LocalApiError when nothing answers there. */
  static async connect(socketPath: string, hostId: string): Promise<ApiHost> {
    return new ApiHost(await LocalApiClient.connect(socketPath), hostId);
  }

  private async call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    try {
      return await this.client.request(method, params);
    } catch (e) {
      throw fromApiError(e);
    }
  }

  private on(domain: DomainRef): { hostId: string; domain: DomainRef } {
    return { hostId: this.id, domain };
  }

  async summary(): Promise<HostSummary> {
    return this.call('host.summary', { hostId: this.id });
  }
  async physinfo(): Promise<Physinfo> {
    return this.call('host.physinfo', { hostId: this.id });
  }
  async topology(): Promise<HostTopology> {
    return this.call('host.topology', { hostId: this.id });
  }
  async dmesg(opts: { clear?: boolean } = {}): Promise<string> {
    return (await this.call('host.dmesg', { hostId: this.id, ...(opts.clear !== undefined ? { clear: opts.clear } : {}) })).text;
  }
  async debugKeys(keys: string): Promise<void> {
    await this.call('host.debugKeys', { hostId: this.id, keys });
  }
  async xenstoreList(path: string): Promise<XenstoreListing> {
    return this.call('xenstore.list', { hostId: this.id, path });
  }
  async cpuPolicy(ref?: DomainRef): Promise<CpuPolicySummary> {
    return this.call('cpu.policy', { hostId: this.id, ...(ref !== undefined ? { domain: ref } : {}) });
  }
  async listDomains(): Promise<DomainSummary[]> {
    return this.call('domain.list', { hostId: this.id });
  }
  async domain(ref: DomainRef): Promise<DomainSummary> {
    return this.call('domain.get', this.on(ref));
  }
  async createDomain(req: CreateDomainRequest): Promise<CreateDomainResult> {
    return this.call('domain.create', { hostId: this.id, ...req });
  }
  async pause(ref: DomainRef): Promise<void> {
    await this.call('domain.pause', this.on(ref));
  }
  async unpause(ref: DomainRef): Promise<void> {
    await this.call('domain.unpause', this.on(ref));
  }
  async shutdown(ref: DomainRef, opts: ShutdownOptions = {}): Promise<void> {
    await this.call('domain.shutdown', { ...this.on(ref), ...(opts.reboot !== undefined ? { reboot: opts.reboot } : {}) });
  }
  async destroy(ref: DomainRef): Promise<void> {
    await this.call('domain.destroy', this.on(ref));
  }
  async domainDevices(ref: DomainRef): Promise<DomainDevices> {
    return this.call('domain.devices', this.on(ref));
  }
  async domainConfigText(ref: DomainRef): Promise<{ text: string; file: string } | null> {
    return this.call('domain.config', this.on(ref));
  }
  async keptConfig(ref: DomainRef): Promise<Readonly<KeptConfig> | undefined> {
    return (await this.call('domain.keptConfig', this.on(ref))) ?? undefined;
  }
  async vcpuList(ref?: DomainRef): Promise<VcpuSummary[]> {
    return this.call('domain.vcpus', { hostId: this.id, ...(ref !== undefined ? { domain: ref } : {}) });
  }
  async setVcpuAffinity(ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void> {
    await this.call('domain.setVcpuAffinity', { ...this.on(ref), vcpu, hard, soft });
  }
  async setMaxMemory(ref: DomainRef, maxKiB: number): Promise<void> {
    await this.call('domain.setMaxMemory', { ...this.on(ref), maxKiB });
  }
  async domainSched(ref: DomainRef): Promise<DomainSchedInfo> {
    return this.call('domain.sched', this.on(ref));
  }
  async setDomainSched(ref: DomainRef, params: DomainSchedParamsT, expect?: SchedulerNameT): Promise<void> {
    await this.call('domain.setSched', { ...this.on(ref), params, ...(expect !== undefined ? { expect } : {}) });
  }
  async renameDomain(ref: DomainRef, newName: string): Promise<void> {
    await this.call('domain.rename', { ...this.on(ref), name: newName });
  }
  async setMemoryTarget(ref: DomainRef, targetKiB: number): Promise<void> {
    await this.call('domain.setMemoryTarget', { ...this.on(ref), targetKiB });
  }
  async setOnlineVcpus(ref: DomainRef, count: number): Promise<void> {
    await this.call('domain.setOnlineVcpus', { ...this.on(ref), count });
  }
  async setVcpuSched(ref: DomainRef, vcpus: VcpuSchedParamsT[]): Promise<void> {
    await this.call('domain.setVcpuSched', { ...this.on(ref), vcpus });
  }
  /**
   * `xl save` against a running XenDeck: it writes the image into its lab's save folder
   * (the api takes names, never paths), and xl — the same user on the same machine —
   * moves it to the file asked for.
   */
  async save(ref: DomainRef, file: string, opts: SaveOptions = {}): Promise<SaveResult> {
    const name = transferName();
    const r = await this.call('domain.save', { ...this.on(ref), name, checkpoint: opts.checkpoint ?? false, paused: opts.paused ?? false });
    try {
      copyFileSync(r.file, file);
    } finally {
      rmSync(r.file, { force: true });
    }
    return { file, bytes: r.bytes, pages: r.pages, dataPages: r.dataPages, log: r.log.map((l) => l.replace(r.file, file)) };
  }

  async sendTrigger(ref: DomainRef, trigger: TriggerName, vcpu = 0): Promise<void> {
    await this.call('domain.trigger', { ...this.on(ref), trigger, vcpu });
  }
  async sendSysrq(ref: DomainRef, key: string): Promise<void> {
    await this.call('domain.sysrq', { ...this.on(ref), key });
  }
  async blockAttach(ref: DomainRef, spec: string[]): Promise<void> {
    await this.call('domain.blockAttach', { ...this.on(ref), spec });
  }
  async blockDetach(ref: DomainRef, vdev: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.call('domain.blockDetach', { ...this.on(ref), vdev, force: opts.force ?? false });
  }
  async networkAttach(ref: DomainRef, args: string[]): Promise<{ warnings: string[] }> {
    return this.call('domain.networkAttach', { ...this.on(ref), args });
  }
  async networkDetach(ref: DomainRef, dev: string): Promise<void> {
    await this.call('domain.networkDetach', { ...this.on(ref), dev });
  }

  /**
   * `xl dump-core` against a running XenDeck: the core goes into its lab's dump folder
   * under a transfer name, and xl moves it to the file asked for (as save does).
   */
  async coreDump(ref: DomainRef, file: string): Promise<CoreDumpResult> {
    const r = await this.call('domain.coreDump', { ...this.on(ref), name: transferName() });
    try {
      copyFileSync(r.file, file);
    } catch (e) {
      const code = (e as { code?: string }).code === 'ENOENT' ? 'ENOENT' : 'EACCES';
      throw new ToolstackError(code, `Could not open corefile ${file}: ${(e as Error).message}`);
    } finally {
      rmSync(r.file, { force: true });
    }
    return { file, bytes: r.bytes, pages: r.pages, dataPages: r.dataPages, vcpus: r.vcpus };
  }

  /** `xl restore`: the file is copied into the XenDeck's save folder and restored from there. */
  async restore(file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
    if (opts.configText !== undefined) throw new NotImplementedError('xl restore with a config file against a running XenDeck');
    const { dir } = await this.call('save.list', { hostId: this.id });
    const name = transferName();
    const copy = join(dir, `${name}.save`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      copyFileSync(file, copy);
    } catch (e) {
      throw new ToolstackError('ENOENT', `Can't open restore file: ${(e as Error).message}`);
    }
    try {
      const r = await this.call('domain.restore', { hostId: this.id, name, paused: opts.paused ?? false });
      return { ...r, log: r.log.map((l) => l.replace(copy, file)) };
    } finally {
      rmSync(copy, { force: true });
    }
  }

  async migrateToCpupool(ref: DomainRef, pool: string): Promise<void> {
    await this.call('domain.migratePool', { ...this.on(ref), pool });
  }
  async listCpupools(): Promise<CpupoolSummary[]> {
    return this.call('cpupool.list', { hostId: this.id });
  }
  async createCpupool(name: string, sched: SchedulerNameT, cpus: number[]): Promise<CpupoolSummary> {
    return this.call('cpupool.create', { hostId: this.id, name, sched, cpus });
  }
  async destroyCpupool(pool: string): Promise<void> {
    await this.call('cpupool.destroy', { hostId: this.id, pool });
  }
  async cpupoolAddCpus(pool: string, cpus: number[]): Promise<void> {
    await this.call('cpupool.addCpus', { hostId: this.id, pool, cpus });
  }
  async cpupoolRemoveCpus(pool: string, cpus: number[]): Promise<void> {
    await this.call('cpupool.removeCpus', { hostId: this.id, pool, cpus });
  }
  async renameCpupool(pool: string, name: string): Promise<void> {
    await this.call('cpupool.rename', { hostId: this.id, pool, name });
  }
  async poolSched(pool: string): Promise<PoolSchedInfoT> {
    return this.call('cpupool.sched', { hostId: this.id, pool });
  }
  async setPoolSched(pool: string, params: PoolSchedParamsT): Promise<void> {
    await this.call('cpupool.setSched', { hostId: this.id, pool, params });
  }

  /** Counters and events are the console's own business (its stats and events topics); xl never asks. */
  async sample(): Promise<HostSample> {
    throw new ToolstackError('ENOSYS', 'host samples are not carried to xl; subscribe to the stats topic');
  }
  async domainSample(): Promise<DomainSample> {
    throw new ToolstackError('ENOSYS', 'domain samples are not carried to xl; subscribe to the domainStats topic');
  }
  subscribe(_listener: (e: ToolstackEvent) => void): () => void {
    return () => {};
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
