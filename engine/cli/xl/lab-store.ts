/**
 * A lab: a folder holding one simulated Xen host across `xl --lab DIR` runs.
 *
 *   DIR/lab.json       { format, preset, seed, hostname }: how to boot the host
 *   DIR/journal.jsonl  one JournalEntry per line, the successful mutating operations
 *   DIR/lock           held by a mutating command while it runs (lab-lock.ts)
 *
 * Opening a lab boots the engine from lab.json and replays the journal. Both files are
 * replaced atomically (atomic-write.ts); the journal only ever grows. A journal that no
 * longer replays (an engine change, a hand edit) is reported with the entry that failed,
 * never silently skipped, since the host would then not be the one the user built.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { LabHost } from './lab-host';
import { writeFileAtomic } from './atomic-write';
import { applyEntry, describeEntry, JournalEntrySchema, type JournalEntry } from './journal';
import { acquireLabLock, type LabLock } from './lab-lock';

export const LAB_FORMAT = 1;

const LabFileSchema = z.object({
  format: z.literal(LAB_FORMAT),
  preset: z.string(),
  seed: z.number().int(),
  hostname: z.string(),
  /**
   * Wall-clock ms when the lab was made: the lab host's wall clock is this plus its
   * simulated time, so what xl dates (a preserved domain's name suffix) is the same on
   * every replay of the journal. Older labs without it count from 1970.
   */
  createdMs: z.number().int().nonnegative().optional(),
});
export type LabFile = z.infer<typeof LabFileSchema>;

export const DEFAULT_LAB: LabFile = { format: LAB_FORMAT, preset: 'small-lab', seed: 1, hostname: 'xendeck-lab' };

/** A lab that cannot be opened: bad files, a journal that does not replay, a busy lock. */
export class LabError extends Error {
  override readonly name = 'LabError';
}

export { defaultLabDir } from './lab-dir';

export class LabStore {
  private constructor(
    readonly dir: string,
    readonly lab: LabFile,
    readonly host: LabHost,
    private journal: JournalEntry[],
    private readonly lock: LabLock | undefined,
  ) {}

  /**
   * Open (creating if needed) the lab in `dir`; `writer` takes the lock first.
   * `entries` replays only that many journal entries: the host as it was back then.
   */
  static async open(dir: string, opts: { writer: boolean; entries?: number }): Promise<LabStore> {
    await mkdir(dir, { recursive: true });
    const lock = opts.writer ? await acquireLabLock(dir) : undefined;
    try {
      const lab = await readLabFile(dir);
      const journal = (await readJournal(dir)).slice(0, opts.entries);
      const base = lab.createdMs ?? 0;
      const host: LabHost = new LabHost({ id: 'lab', preset: lab.preset, seed: lab.seed, hostname: lab.hostname, dumpDir: join(dir, 'dump'), wallClockMs: () => base + Math.floor(host.xen.clock.now / 1e6) });
      for (const [i, e] of journal.entries()) {
        try {
          await applyEntry(host, e);
        } catch (err) {
          const why = err instanceof Error ? err.message : String(err);
          throw new LabError(`${join(dir, 'journal.jsonl')}:${i + 1}: "${describeEntry(e)}" no longer replays: ${why}`);
        }
      }
      return new LabStore(dir, lab, host, journal, lock);
    } catch (e) {
      await lock?.release();
      throw e;
    }
  }

  get entries(): readonly JournalEntry[] {
    return this.journal;
  }

  /** Append a successful mutating operation (the caller holds the lock); its index. */
  async record(e: JournalEntry): Promise<number> {
    if (!this.lock) throw new LabError('internal: recording to a lab opened read-only');
    const next = [...this.journal, e];
    await writeFileAtomic(join(this.dir, 'journal.jsonl'), next.map((x) => JSON.stringify(x)).join('\n') + '\n');
    this.journal = next;
    return next.length - 1;
  }

  async close(): Promise<void> {
    await this.host.close();
    await this.lock?.release();
  }
}

async function readLabFile(dir: string): Promise<LabFile> {
  const path = join(dir, 'lab.json');
  const text = await readIfExists(path);
  if (text === undefined) {
    const lab: LabFile = { ...DEFAULT_LAB, createdMs: Date.now() };
    await writeFileAtomic(path, JSON.stringify(lab, null, 2) + '\n');
    return lab;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new LabError(`${path}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = LabFileSchema.safeParse(raw);
  if (!r.success) throw new LabError(`${path}: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

export async function readJournal(dir: string): Promise<JournalEntry[]> {
  const path = join(dir, 'journal.jsonl');
  const text = await readIfExists(path);
  if (text === undefined) return [];
  const out: JournalEntry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new LabError(`${path}:${i + 1}: not a JSON line`);
    }
    const r = JournalEntrySchema.safeParse(raw);
    if (!r.success) throw new LabError(`${path}:${i + 1}: not a journal entry (${r.error.issues[0]?.message ?? 'invalid'})`);
    out.push(r.data);
  }
  return out;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof Error && 'code' in e && e.code === 'ENOENT') return undefined;
    throw e;
  }
}
