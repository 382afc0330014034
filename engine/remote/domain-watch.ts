// Following a real host's domains so a GUI stays live. xenstored fires the special
// watches @introduceDomain and @releaseDomain when a domain appears or goes away
// (docs/misc/xenstore.txt, "Special watch paths"); `xenstore-watch` prints the path of
// each firing (and each once when the watch is set). A firing triggers a refresh of
// `xl list`. Pause, unpause and shutdown fire neither, and a host may lack
// xenstore-watch or the watch may die with the connection, so a periodic poll runs as
// well; the watch only makes appearing and disappearing domains show at once.
import { commandLine, type LineStream } from './transport';
import type { RemoteDomain } from './types';

export type DomainChange =
  | { type: 'introduced'; domain: RemoteDomain }
  | { type: 'released'; domain: RemoteDomain }
  | { type: 'changed'; domain: RemoteDomain; before: RemoteDomain };

export interface DomainSnapshot {
  domains: RemoteDomain[];
  changes: DomainChange[];
  /** What caused this refresh. */
  cause: 'initial' | 'watch' | 'poll' | 'manual';
}

export interface DomainWatchSource {
  domainList(): Promise<RemoteDomain[]>;
  /** Opens a long-running command (null when the host has no xenstore-watch). */
  openWatch(command: string): Promise<LineStream> | null;
}

export interface DomainWatchOptions {
  /** Poll interval, ms (default 2000). */
  pollMs?: number;
  /** Errors of a refresh (the watch keeps running; the next poll tries again). */
  onError?: (e: unknown) => void;
}

export const WATCH_PATHS = ['@introduceDomain', '@releaseDomain'] as const;

/** Domains that appeared, went away or changed state, memory or vCPUs (not CPU time). */
export function diffDomains(before: readonly RemoteDomain[], after: readonly RemoteDomain[]): DomainChange[] {
  const old = new Map(before.map((d) => [d.domid, d]));
  const now = new Map(after.map((d) => [d.domid, d]));
  const changes: DomainChange[] = [];
  for (const d of after) {
    const b = old.get(d.domid);
    if (b === undefined) changes.push({ type: 'introduced', domain: d });
    else if (b.name !== d.name || b.state.letters !== d.state.letters || b.memMiB !== d.memMiB || b.vcpus !== d.vcpus || b.cpupool !== d.cpupool) {
      changes.push({ type: 'changed', domain: d, before: b });
    }
  }
  for (const b of before) if (!now.has(b.domid)) changes.push({ type: 'released', domain: b });
  return changes;
}

export class DomainWatch {
  private domains: RemoteDomain[] = [];
  private stream: LineStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private refreshing: Promise<void> | undefined;
  private again: DomainSnapshot['cause'] | undefined;
  private first = true;

  constructor(
    private readonly source: DomainWatchSource,
    private readonly listener: (s: DomainSnapshot) => void,
    private readonly opts: DomainWatchOptions = {},
  ) {}

  /** True while xenstore-watch runs (false: polling only). */
  get watching(): boolean {
    return this.stream !== undefined;
  }

  get current(): readonly RemoteDomain[] {
    return this.domains;
  }

  async start(): Promise<void> {
    await this.refresh('initial');
    await this.ensureWatch();
    const pollMs = this.opts.pollMs ?? 2000;
    this.timer = setInterval(() => {
      void this.ensureWatch();
      void this.refresh('poll');
    }, pollMs);
  }

  /**
   * Lists the domains and reports the changes. Refreshes never overlap: one asked for
   * while another runs is done once after it.
   */
  refresh(cause: DomainSnapshot['cause'] = 'manual'): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.refreshing !== undefined) {
      this.again = cause;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      try {
        const domains = await this.source.domainList();
        if (this.stopped) return;
        const changes = diffDomains(this.first ? [] : this.domains, domains);
        this.domains = domains;
        const initial = this.first;
        this.first = false;
        if (initial || changes.length > 0) this.listener({ domains, changes, cause: initial ? 'initial' : cause });
      } catch (e) {
        this.opts.onError?.(e);
      } finally {
        this.refreshing = undefined;
      }
      const next = this.again;
      this.again = undefined;
      if (next !== undefined) await this.refresh(next);
    })();
    return this.refreshing;
  }

  /** Resolves when no refresh is running or queued. */
  async idle(): Promise<void> {
    while (this.refreshing !== undefined) await this.refreshing;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.stream?.close();
    this.stream = undefined;
  }

  private async ensureWatch(): Promise<void> {
    if (this.stopped || this.stream !== undefined) return;
    const opening = this.source.openWatch(commandLine(['xenstore-watch', ...WATCH_PATHS]));
    if (opening === null) return;
    try {
      const s = await opening;
      if (this.stopped) {
        s.close();
        return;
      }
      this.stream = s;
      s.onLine((line) => {
        if ((WATCH_PATHS as readonly string[]).includes(line.trim())) void this.refresh('watch');
      });
      s.onClose(() => {
        if (this.stream === s) this.stream = undefined;
      });
    } catch (e) {
      this.opts.onError?.(e);
    }
  }
}
