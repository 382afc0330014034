/**
 * The lab: the Xen hosts this console manages, by id. At start it holds one embedded
 * host; real hosts over SSH join it through the same ToolstackHost interface.
 */
import { EmbeddedHost, type EmbeddedHostOptions } from '../../engine/toolstack/embedded-host';
import type { ToolstackHost } from '../../engine/toolstack/host-api';
import { ToolstackError } from '../../engine/toolstack/toolstack-error';
import type { ToolstackEvent } from '../../engine/toolstack/types';

export class Lab {
  private readonly hosts = new Map<string, ToolstackHost>();
  private readonly listeners = new Set<(e: ToolstackEvent) => void>();
  private readonly unsubscribers = new Map<string, () => void>();

  /** The default lab: one embedded small-lab host named lab1. */
  static withDefaultHost(seed = 1): Lab {
    const lab = new Lab();
    lab.addEmbedded({ id: 'lab1', preset: 'small-lab', seed });
    return lab;
  }

  addEmbedded(opts: EmbeddedHostOptions): EmbeddedHost {
    const h = new EmbeddedHost(opts);
    this.add(h);
    return h;
  }

  add(host: ToolstackHost): void {
    if (this.hosts.has(host.id)) throw new ToolstackError('EEXIST', `a host named "${host.id}" is already in the lab`);
    this.hosts.set(host.id, host);
    this.unsubscribers.set(host.id, host.subscribe((e) => this.listeners.forEach((l) => l(e))));
  }

  host(id: string): ToolstackHost {
    const h = this.hosts.get(id);
    if (!h) throw new ToolstackError('ENOENT', `no host "${id}" in the lab`, `hosts: ${[...this.hosts.keys()].join(', ') || 'none'}`);
    return h;
  }

  all(): ToolstackHost[] {
    return [...this.hosts.values()];
  }

  /** Events of every host (filter by hostId at the subscriber). */
  subscribe(listener: (e: ToolstackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    for (const u of this.unsubscribers.values()) u();
    await Promise.all(this.all().map((h) => h.close()));
    this.hosts.clear();
    this.listeners.clear();
  }
}
