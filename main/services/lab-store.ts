/**
 * The lab's hosts kept across restarts, in `<lab dir>/hosts.json`: which embedded hosts
 * (preset, seed) and which real hosts (SSH target) the console manages. Written
 * atomically (a temp file renamed over the old one), so a crash never leaves half a file.
 * Secrets are not stored: a real host is reached with a key file path, never a key.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { HostIdSchema, SshTargetSchema, TopologySpecSchema } from '../api/schemas';

export const EmbeddedHostEntrySchema = z.object({ id: HostIdSchema, kind: z.literal('embedded'), preset: z.string(), seed: z.number().int(), topology: TopologySpecSchema.optional() }).strict();
export const RemoteHostEntrySchema = z.object({ id: HostIdSchema, kind: z.literal('remote'), ssh: SshTargetSchema, sudo: z.boolean().optional() }).strict();
export const HostEntrySchema = z.discriminatedUnion('kind', [EmbeddedHostEntrySchema, RemoteHostEntrySchema]);
const LabFileSchema = z.object({ version: z.literal(1), hosts: z.array(HostEntrySchema) }).strict();

export type HostEntry = z.infer<typeof HostEntrySchema>;
export type RemoteHostEntry = z.infer<typeof RemoteHostEntrySchema>;

export const DEFAULT_HOSTS: readonly HostEntry[] = [{ id: 'lab1', kind: 'embedded', preset: 'small-lab', seed: 1 }];

export class LabStore {
  readonly file: string;
  constructor(readonly dir: string) {
    this.file = join(dir, 'hosts.json');
  }

  /** The embedded hosts' domain configs (domain-configs.ts). */
  get domainsDir(): string {
    return join(this.dir, 'domains');
  }

  get knownHostsPath(): string {
    return join(this.dir, 'known_hosts');
  }

  /** The saved hosts, or the default lab (its host seeded with `defaultSeed`) when there is no file yet. A bad file is an error naming it. */
  load(defaultSeed = 1): HostEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_HOSTS.map((h) => (h.kind === 'embedded' ? { ...h, seed: defaultSeed } : h));
      throw e;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new Error(`${this.file}: not JSON (${(e as Error).message}); fix or remove it`, { cause: e });
    }
    const r = LabFileSchema.safeParse(json);
    if (!r.success) throw new Error(`${this.file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return r.data.hosts;
  }

  save(hosts: readonly HostEntry[]): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, hosts }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
