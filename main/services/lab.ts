/**
 * The lab: the Xen hosts this console manages, by id — embedded simulated hosts and real
 * hosts over SSH, all behind the toolstack's ToolstackHost. The list survives restarts
 * through a LabStore (when given one). A real host that cannot be reached stays in the
 * lab as offline with the reason, and the rest of the lab keeps working.
 */
import { labBlockDevices } from '../../engine/toolstack/block-devices';
import { dom0Tools } from '../../engine/cli/dom0-tools';
import { HostKeyNotTrustedError } from '../../engine/remote/errors';
import { RemoteXenHost } from '../../engine/remote/remote-host';
import { EmbeddedHost, type EmbeddedHostOptions } from '../../engine/toolstack/embedded-host';
import type { ToolstackHost } from '../../engine/toolstack/host-api';
import { RemoteToolstackHost, remoteToToolstackError } from '../../engine/toolstack/remote-toolstack-host';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import type { HostSummary, ToolstackEvent } from '../../engine/toolstack/types';
import { CoreDumps } from './core-dumps';
import { DomainConfigStore } from './domain-configs';
import { HostXenstored } from './host-xenstored';
import type { HostEntry, LabStore, RemoteHostEntry } from './lab-store';

export type HostState = 'online' | 'connecting' | 'offline';

export interface HostListEntry {
  id: string;
  kind: 'embedded' | 'remote';
  state: HostState;
  /** Why a host is offline. */
  detail: string | null;
  summary: HostSummary | null;
}

/** Opens a real host; replaced in tests by one that reaches a fake dom0. */
export type RemoteConnector = (entry: RemoteHostEntry, knownHostsPath: string, trustFingerprint?: string) => Promise<ToolstackHost>;

export const sshConnector: RemoteConnector = async (entry, knownHostsPath, trustFingerprint) => {
  const remote = await RemoteXenHost.connect({
    ssh: { ...entry.ssh, knownHostsPath, onUnknownHostKey: (k) => trustFingerprint !== undefined && k.fingerprint === trustFingerprint },
    sudo: entry.sudo ?? false,
  });
  return new RemoteToolstackHost(entry.id, remote);
};

interface Slot {
  entry: HostEntry;
  host: ToolstackHost | undefined;
  state: HostState;
  detail: string | null;
  unsubscribe: (() => void) | undefined;
  /** An embedded host's xenstored process. */
  xenstored?: HostXenstored;
}

export interface LabOptions {
  connector?: RemoteConnector;
  defaultSeed?: number;
  /**
   * Run each embedded host's xenstored as its own process (socket in the runtime folder,
   * state in <lab>/xenstore/<host>/), as the console does; otherwise in this process.
   */
  xenstoredProcesses?: boolean;
}

export class Lab {
  private readonly slots = new Map<string, Slot>();
  private readonly listeners = new Set<(e: ToolstackEvent) => void>();
  private readonly followers: (() => void)[] = [];
  /** Set once restoreDomains ran: hosts added later get their domain files kept too. */
  private configs: DomainConfigStore | undefined;

  constructor(
    private readonly store?: LabStore,
    private readonly connector: RemoteConnector = sshConnector,
    private readonly xenstoredProcesses = false,
  ) {}

  /** The lab folder (undefined for a lab kept only in memory). */
  get folder(): string | undefined {
    return this.store?.dir;
  }

  /** The default lab, in memory: one embedded small-lab host named lab1. */
  static withDefaultHost(seed = 1): Lab {
    const lab = new Lab();
    lab.addEmbedded({ id: 'lab1', preset: 'small-lab', seed });
    return lab;
  }

  /** The lab saved in `store` (the default lab the first time); real hosts connect in the background. */
  static open(store: LabStore, opts: LabOptions = {}): Lab {
    const lab = new Lab(store, opts.connector ?? sshConnector, opts.xenstoredProcesses ?? false);
    for (const e of store.load(opts.defaultSeed)) {
      if (e.kind === 'embedded') lab.addEmbedded({ id: e.id, preset: e.preset, seed: e.seed, ...(e.topology ? { topology: e.topology } : {}) }, false);
      else lab.reconnect(e);
    }
    return lab;
  }

  /**
   * Brings back the domains the embedded hosts ran when XenDeck last stopped (their
   * xl.cfg files in the lab folder) and keeps those files in step from now on.
   */
  async restoreDomains(): Promise<number> {
    if (!this.store) return 0;
    const configs = new DomainConfigStore(this.store.domainsDir);
    this.configs = configs;
    let n = 0;
    for (const s of this.slots.values()) {
      if (s.entry.kind !== 'embedded' || !s.host) continue;
      const host = s.host;
      n += await configs.restore(host, (message) => this.listeners.forEach((l) => l({ kind: 'host.log', hostId: host.id, level: 'warning', message })));
      this.followers.push(configs.follow(host));
    }
    return n;
  }

  addEmbedded(opts: EmbeddedHostOptions, persist = true): EmbeddedHost {
    this.requireFreeId(opts.id);
    const xenstored = this.store && this.xenstoredProcesses && process.platform !== 'win32' ? HostXenstored.launch(this.store.dir, opts.id, (line) => this.hostLog(opts.id, line)) : undefined;
    let h: EmbeddedHost;
    try {
      // dom0's filesystem is the lab folder: a disk's target is a file there (block-devices.ts)
      const folder = this.folder;
      h = new EmbeddedHost({
        ...(folder !== undefined ? { blockDevices: labBlockDevices(folder) } : {}),
        // xl and xentop in Domain-0's shell, against this host (its filesystem: the lab folder)
        dom0Tools: (host) => dom0Tools(host, folder),
        ...opts,
        ...(xenstored ? { xenstore: xenstored.xenstore } : {}),
        ...(this.store ? { dumpDir: CoreDumps.dirOf(this.store.dir, opts.id) } : {}),
      });
    } catch (e) {
      void xenstored?.stop();
      throw e;
    }
    this.attach({
      entry: { id: opts.id, kind: 'embedded', preset: h.preset.id, seed: opts.seed ?? 1, ...(opts.topology ? { topology: opts.topology } : {}) },
      host: h,
      state: 'online',
      detail: null,
      unsubscribe: undefined,
      ...(xenstored ? { xenstored } : {}),
    });
    if (this.configs) this.followers.push(this.configs.follow(h));
    if (persist) this.persist();
    return h;
  }

  /**
   * Adds a real host. It joins the lab only once connected (a failure leaves the lab as
   * it was); an unknown host key is refused unless its fingerprint is the one given.
   */
  async addRemote(entry: RemoteHostEntry, trustFingerprint?: string): Promise<void> {
    this.requireFreeId(entry.id);
    let host: ToolstackHost;
    try {
      host = await this.connector(entry, this.knownHostsPath(), trustFingerprint);
    } catch (e) {
      if (e instanceof HostKeyNotTrustedError) {
        throw new ToolstackError('EREMOTE', `${e.message}. Its fingerprint is ${e.fingerprint}`, `${e.hint ?? ''}; then add the host again trusting ${e.fingerprint}`.replace(/^; /, ''));
      }
      throw remoteToToolstackError(e);
    }
    this.requireFreeId(entry.id);
    this.attach({ entry, host, state: 'online', detail: null, unsubscribe: undefined });
    this.persist();
  }

  async remove(id: string): Promise<void> {
    const s = this.slot(id);
    if (s.entry.kind === 'embedded' && [...this.slots.values()].filter((x) => x.entry.kind === 'embedded').length === 1) {
      throw new ToolstackError('EPERM', `${id} is the lab's only embedded host and stays`, 'Remove real hosts, or add another embedded host first');
    }
    this.slots.delete(id);
    s.unsubscribe?.();
    await s.host?.close();
    await s.xenstored?.stop();
    this.persist();
  }

  host(id: string): ToolstackHost {
    const s = this.slot(id);
    if (!s.host) throw new ToolstackError('EREMOTE', `host ${id} is ${s.state}${s.detail ? `: ${s.detail}` : ''}`, 'Hosts view: reconnect it, or remove it');
    return s.host;
  }

  all(): ToolstackHost[] {
    return [...this.slots.values()].flatMap((s) => (s.host ? [s.host] : []));
  }

  async list(): Promise<HostListEntry[]> {
    return Promise.all(
      [...this.slots.values()].map(async (s): Promise<HostListEntry> => {
        if (!s.host) return { id: s.entry.id, kind: s.entry.kind, state: s.state, detail: s.detail, summary: null };
        try {
          return { id: s.entry.id, kind: s.entry.kind, state: 'online', detail: null, summary: await s.host.summary() };
        } catch (e) {
          return { id: s.entry.id, kind: s.entry.kind, state: 'offline', detail: ToolstackError.from(e).message, summary: null };
        }
      }),
    );
  }

  /** Events of every host (filter by hostId at the subscriber). */
  subscribe(listener: (e: ToolstackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const f of this.followers.splice(0)) f();
    for (const s of this.slots.values()) s.unsubscribe?.();
    await Promise.all(this.all().map((h) => h.close()));
    await Promise.all([...this.slots.values()].map((s) => s.xenstored?.stop()));
    this.slots.clear();
    this.listeners.clear();
  }

  private reconnect(entry: RemoteHostEntry): void {
    const slot: Slot = { entry, host: undefined, state: 'connecting', detail: null, unsubscribe: undefined };
    this.slots.set(entry.id, slot);
    this.connector(entry, this.knownHostsPath())
      .then((h) => {
        if (this.slots.get(entry.id) !== slot) return void h.close();
        slot.host = h;
        slot.state = 'online';
        slot.unsubscribe = h.subscribe((e) => this.listeners.forEach((l) => l(e)));
      })
      .catch((e: unknown) => {
        slot.state = 'offline';
        slot.detail = remoteToToolstackError(e).message;
      });
  }

  /** An embedded host's xenstored process, if it has one (tests, the host view). */
  xenstored(id: string): HostXenstored | undefined {
    return this.slot(id).xenstored;
  }

  /** Logs an information line for a host, as the host's own log lines reach listeners. */
  hostLog(hostId: string, message: string): void {
    for (const l of this.listeners) l({ kind: 'host.log', hostId, level: 'info', message });
  }

  private attach(s: Slot): void {
    if (s.host) {
      const h = s.host;
      s.unsubscribe = h.subscribe((e) => this.listeners.forEach((l) => l(e)));
    }
    this.slots.set(s.entry.id, s);
  }

  private slot(id: string): Slot {
    const s = this.slots.get(id);
    if (!s) throw new ToolstackError('ENOENT', `no host "${id}" in the lab`, `hosts: ${[...this.slots.keys()].join(', ') || 'none'}`);
    return s;
  }

  private requireFreeId(id: string): void {
    if (this.slots.has(id)) throw new ToolstackError('EEXIST', `a host named "${id}" is already in the lab`);
  }

  private knownHostsPath(): string {
    if (!this.store) throw new ToolstackError('ENOSYS', 'this lab is not saved anywhere, so it cannot pin SSH host keys', 'start the console with a lab directory (--lab DIR)');
    return this.store.knownHostsPath;
  }

  private persist(): void {
    this.store?.save([...this.slots.values()].map((s) => s.entry));
  }
}

