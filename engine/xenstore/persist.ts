/**
 * Persistence of the xenstore across restarts and crashes (issue 6): a snapshot plus an
 * append-only journal in a state directory (`xenstored --state DIR`). Xen's C xenstored
 * kept a tdb file; since 4.16 its live update dumps the state in the format of
 * docs/designs/xenstore-migration.md. We keep our own simple format:
 *
 *   DIR/snapshot.json  {version, generation, nextTx, domains, special, paths, values,
 *                      lengths, perms, permTable}: the nodes as parallel arrays,
 *                      parents before children; values concatenated in one latin1
 *                      string (a char per byte) cut by lengths; permission lists
 *                      ("n0,r5") in a table
 *   DIR/journal        one JSON line per committed change set, replayed over the snapshot:
 *                      {"n": [[path, value (latin1)|null (removed), perms], ...]} or
 *                      {"d": domain} (one domain introduced or changed), {"r": domid}
 *                      (one domain released), or {"m": {domains, special}} (the whole
 *                      domain / special-watch state, when a special watch's permissions
 *                      change). A record per domain, not the whole list, so introducing
 *                      N domains journals N small lines, not N lines of up to N domains
 *                      (13.6 s of a 10,000-domain mass create went to those)
 *
 * fsync policy: every committed change set is written to the journal with a synchronous
 * write(2) before its reply is sent, so killing the daemon (kill -9) loses no
 * acknowledged write. fdatasync(2), which only matters if the host itself goes down, is
 * `batch` by default (at most 50 ms after a write), or `always` (before the reply), or
 * `never`. A snapshot is written to a temporary file, fsynced and renamed, then the
 * journal is truncated; replaying a journal over a newer snapshot is harmless since its
 * records set final states. A torn last journal line is ignored.
 */
import { closeSync, existsSync, fdatasync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { IntroducedDomain, XenstoreDaemon } from './daemon';
import type { Perm } from './perms';
import { formatPerm, parsePerms } from './perms';

export type FsyncPolicy = 'always' | 'batch' | 'never';

export interface PersistOptions {
  fsync?: FsyncPolicy;
  /**
   * Journal records after which a new snapshot is written. Default: 10,000 plus half the
   * nodes, so a snapshot costs about two nodes written per journal record, and a restart
   * replays at most that many records.
   */
  compactAfter?: number;
  /**
   * The daemon already holds what DIR holds (live update: the state came from the
   * previous worker, which journaled everything): only reopen the journal.
   */
  adopt?: boolean;
}

interface DomainRecord {
  domid: number;
  mfn: string;
  evtchn: number;
  target?: number;
  shutdownReported: boolean;
}

interface Meta {
  domains: DomainRecord[];
  special: [string, string][];
}

export interface Snapshot extends Meta {
  version: 1;
  generation: number;
  nextTx: number;
  /** Node paths, parents before children. */
  paths: string[];
  /** Every value, concatenated, one latin1 char per byte; `lengths` cut it. */
  values: string;
  lengths: number[];
  /** Index into `permTable` per node (a store has few distinct permission lists). */
  perms: number[];
  permTable: string[];
}

type NodeRecord = [string, string | null, string];

/** One journal line (see the header). */
interface JournalRecord {
  n?: NodeRecord[];
  m?: Meta;
  d?: DomainRecord;
  r?: number;
}

const SNAPSHOT = 'snapshot.json';
const JOURNAL = 'journal';

// Permission lists are never changed in place (ops replace them), so both directions
// can be cached: a store has few distinct lists.
const textCache = new WeakMap<readonly Perm[], string>();
const permsCache = new Map<string, Perm[]>();

function permsText(p: readonly Perm[]): string {
  let t = textCache.get(p);
  if (t === undefined) {
    t = p.map(formatPerm).join(',');
    textCache.set(p, t);
  }
  return t;
}

function permsOf(s: string): Perm[] {
  let p = permsCache.get(s);
  if (p === undefined) {
    p = parsePerms(s.split(','));
    if (permsCache.size > 10_000) permsCache.clear();
    permsCache.set(s, p);
  }
  return p;
}

export interface LoadStats {
  nodes: number;
  journalRecords: number;
  ms: number;
}

export class Persistence {
  private fd: number;
  private records = 0;
  private syncTimer: NodeJS.Timeout | undefined;
  private compactTimer: NodeJS.Timeout | undefined;
  private readonly fsync: FsyncPolicy;
  private readonly compactAfter: number | undefined;
  readonly loaded: LoadStats;

  /** Opens DIR (created if needed), loads its state into `daemon`, and starts journaling. */
  constructor(
    private readonly daemon: XenstoreDaemon,
    readonly dir: string,
    opts: PersistOptions = {},
  ) {
    this.fsync = opts.fsync ?? 'batch';
    this.compactAfter = opts.compactAfter;
    mkdirSync(dir, { recursive: true });
    const t0 = performance.now();
    const nodes = opts.adopt ? 0 : this.loadSnapshot();
    const journalRecords = opts.adopt ? 0 : this.replayJournal();
    daemon.store.trackChanges();
    daemon.store.takeDirty();
    this.fd = openSync(join(dir, JOURNAL), 'a');
    if (opts.adopt && this.fsync !== 'never') fdatasync(this.fd, () => {});
    this.loaded = { nodes, journalRecords, ms: performance.now() - t0 };
    // Fold the replayed journal into a snapshot, once serving (it is synchronous, so it
    // holds whatever was committed by then and the journal restarts empty).
    if (journalRecords > 0) {
      this.compactTimer = setTimeout(() => {
        this.compactTimer = undefined;
        try {
          this.snapshot();
        } catch (e) {
          // The journal still has everything; the next compaction will try again.
          daemon.log(`xenstored: snapshot of ${dir} failed: ${(e as Error).message}`);
        }
      }, 0);
      this.compactTimer.unref();
    }
    daemon.persistence = this;
  }

  private loadSnapshot(): number {
    const path = join(this.dir, SNAPSHOT);
    if (!existsSync(path)) return 0;
    const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
    if (snap.version !== 1) throw new Error(`${path}: unknown snapshot version ${String(snap.version)}`);
    loadSnapshot(this.daemon, snap);
    return snap.paths.length;
  }

  private replayJournal(): number {
    const path = join(this.dir, JOURNAL);
    if (!existsSync(path)) return 0;
    const lines = readFileSync(path, 'utf8').split('\n');
    let n = 0;
    for (const line of lines) {
      if (line === '') continue;
      let rec: JournalRecord;
      try {
        rec = JSON.parse(line) as JournalRecord;
      } catch {
        break; // a torn last record: the write it belongs to was never acknowledged
      }
      if (rec.n) this.applyNodes(rec.n);
      if (rec.m) this.applyMeta(rec.m);
      if (rec.d) this.daemon.domains.set(rec.d.domid, domainOf(rec.d));
      if (rec.r !== undefined) this.daemon.domains.delete(rec.r);
      n++;
    }
    return n;
  }

  private applyNodes(recs: NodeRecord[]): void {
    const store = this.daemon.store;
    for (const [p, v] of recs) if (v === null) store.restoreRemove(p);
    for (const [p, v, perms] of recs) if (v !== null) store.restore(p, Buffer.from(v, 'latin1'), permsOf(perms));
  }

  private applyMeta(m: Meta): void {
    applyMeta(this.daemon, m);
  }

  /** Writes a full snapshot and empties the journal. Returns the milliseconds taken. */
  snapshot(): number {
    const t0 = performance.now();
    const snap = snapshotOf(this.daemon);
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(snap));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, SNAPSHOT));
    try {
      const dfd = openSync(this.dir, 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      // directories cannot be fsynced on every platform
    }
    ftruncateSync(this.fd, 0);
    this.records = 0;
    return performance.now() - t0;
  }

  /** Journals the nodes changed since the last call (called before replies go out). */
  nodesChanged(): void {
    const store = this.daemon.store;
    const dirty = store.takeDirty();
    if (dirty.length === 0) return;
    const recs: NodeRecord[] = [];
    for (const p of dirty) {
      const n = store.get(p);
      recs.push(n === undefined ? [p, null, ''] : [p, n.value.toString('latin1'), permsText(n.perms)]);
    }
    // Parents before children, whatever order they changed in.
    recs.sort((a, b) => depth(a[0]) - depth(b[0]));
    this.append(JSON.stringify({ n: recs }));
  }

  /** A domain's state changed (`domid`: only that domain's record), or a special watch's permissions. */
  metaChanged(domid?: number): void {
    if (domid === undefined) return this.append(JSON.stringify({ m: metaOf(this.daemon) }));
    const d = this.daemon.domains.get(domid);
    this.append(JSON.stringify(d === undefined ? { r: domid } : { d: domainRecordOf(d) }));
  }

  private append(line: string): void {
    writeSync(this.fd, `${line}\n`);
    this.records++;
    if (this.fsync === 'always') fdatasyncSync(this.fd);
    else if (this.fsync === 'batch' && this.syncTimer === undefined) {
      this.syncTimer = setTimeout(() => {
        this.syncTimer = undefined;
        fdatasyncSync(this.fd);
      }, 50);
      this.syncTimer.unref();
    }
    const limit = this.compactAfter ?? 10_000 + this.daemon.store.size / 2;
    if (this.records >= limit) {
      try {
        this.snapshot();
      } catch (e) {
        this.records = 0; // try again after as many records
        this.daemon.log(`xenstored: snapshot of ${this.dir} failed: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Closes the journal without a snapshot or a sync (live update: the next worker adopts
   * DIR and syncs the journal in the background; the page cache already has every
   * record, so only a host crash in that moment could cost the last few ms).
   */
  detach(): void {
    if (this.compactTimer !== undefined) clearTimeout(this.compactTimer);
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    closeSync(this.fd);
    if (this.daemon.persistence === this) this.daemon.persistence = undefined;
  }

  /** Final snapshot and close (clean shutdown). */
  close(): void {
    if (this.compactTimer !== undefined) clearTimeout(this.compactTimer);
    if (this.syncTimer !== undefined) clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.snapshot();
    closeSync(this.fd);
    if (this.daemon.persistence === this) this.daemon.persistence = undefined;
  }
}

function depth(p: string): number {
  let d = 0;
  for (let i = 0; i < p.length; i++) if (p.charCodeAt(i) === 47) d++;
  return p === '/' ? 0 : d;
}

function domainRecordOf(d: IntroducedDomain): DomainRecord {
  return {
    domid: d.domid,
    mfn: d.mfn.toString(),
    evtchn: d.evtchn,
    shutdownReported: d.shutdownReported,
    ...(d.target === undefined ? {} : { target: d.target }),
  };
}

function domainOf(d: DomainRecord): IntroducedDomain {
  return {
    domid: d.domid,
    mfn: BigInt(d.mfn),
    evtchn: d.evtchn,
    shutdownReported: d.shutdownReported,
    ...(d.target === undefined ? {} : { target: d.target }),
  };
}

function metaOf(daemon: XenstoreDaemon): Meta {
  return {
    domains: [...daemon.domains.values()].map(domainRecordOf),
    special: [...daemon.specialPerms].map(([p, perms]) => [p, permsText(perms)]),
  };
}

function applyMeta(daemon: XenstoreDaemon, m: Meta): void {
  daemon.domains.clear();
  for (const d of m.domains) daemon.domains.set(d.domid, domainOf(d));
  for (const [p, perms] of m.special) daemon.specialPerms.set(p, permsOf(perms));
}

/** The whole daemon state but connections: nodes, domains, special paths, counters. */
export function snapshotOf(daemon: XenstoreDaemon): Snapshot {
  const store = daemon.store;
  const paths: string[] = [];
  const values: Buffer[] = [];
  const lengths: number[] = [];
  const perms: number[] = [];
  const permTable: string[] = [];
  const permIndex = new Map<string, number>();
  for (const [p, n] of store.entries()) {
    paths.push(p);
    values.push(n.value);
    lengths.push(n.value.length);
    const text = permsText(n.perms);
    let i = permIndex.get(text);
    if (i === undefined) {
      i = permTable.push(text) - 1;
      permIndex.set(text, i);
    }
    perms.push(i);
  }
  return {
    version: 1,
    generation: store.generation,
    nextTx: daemon.peekTxId(),
    ...metaOf(daemon),
    paths,
    values: Buffer.concat(values).toString('latin1'),
    lengths,
    perms,
    permTable,
  };
}

/** Replaces the daemon's state by a snapshot's. */
export function loadSnapshot(daemon: XenstoreDaemon, snap: Snapshot): void {
  const store = daemon.store;
  store.clear();
  // One buffer for all values; each node gets a view of its bytes (values are replaced,
  // never written in place, so sharing the memory is safe).
  const all = Buffer.from(snap.values, 'latin1');
  const table = snap.permTable.map(permsOf);
  let off = 0;
  for (let i = 0; i < snap.paths.length; i++) {
    const len = snap.lengths[i]!;
    store.restore(snap.paths[i]!, all.subarray(off, off + len), table[snap.perms[i]!]!);
    off += len;
  }
  while (store.generation < snap.generation) store.nextGeneration();
  daemon.restoreCounters(snap.nextTx);
  applyMeta(daemon, snap);
}
