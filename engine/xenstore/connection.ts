/**
 * One xenstore client connection: reassembles requests (wire.ts), runs them against the
 * store or the connection's open transaction, and queues replies and watch events
 * (docs/misc/xenstore.txt, every request type of xs_wire.h that applies without a
 * hypervisor). A malformed frame (payload length over 4096) closes this connection only.
 *
 * Each request goes through the checks of Xen 4.17's process_message()
 * (tools/xenstore/xenstored_core.c), in its order:
 *   - a type 4.17's xenstored has no handler for gets ENOSYS and the connection stays:
 *     types past DIRECTORY_PART, the removed RESTRICT (20), and WATCH_EVENT / ERROR sent
 *     by a client. GET/SET_FEATURE (23, 24) and GET/SET_QUOTA (25, 26) are among them:
 *     4.17's xenstore.txt describes them (docs commit 4d4cf97d41, 2022) but 4.17's
 *     xs_wire.h gives them no number (XS_TYPE_COUNT follows XS_DIRECTORY_PART) and its
 *     wire_funcs[] no handler; xs_wire.h numbered them in 2025 (0fd49cc7db) and xenstored
 *     implemented GET/SET_QUOTA in 4.22 (af41cad8fc);
 *   - a dom0-only type (XS_FLAG_PRIV: CONTROL, INTRODUCE, RELEASE, IS_DOMAIN_INTRODUCED,
 *     RESUME, SET_TARGET) from an unprivileged domain gets EACCES;
 *   - a tx_id naming no open transaction of this connection gets ENOENT, for every type
 *     but WATCH and UNWATCH (XS_FLAG_NOTID: they ignore tx_id).
 */
import { XsError } from './errors';
import * as ops from './ops';
import type { Caller, Change } from './ops';
import { canonicalize, domainPath, isSpecialPath } from './path';
import type { Perm } from './perms';
import { formatPerm, parsePerms, permits } from './perms';
import type { NodeView } from './store';
import { Transaction } from './transaction';
import { exceeds } from './quota';
import type { XsQuota } from './quota';
import type { WatchOwner } from './watches';
import type { XsMessage } from './wire';
import { FrameDecoder, WireError, XENSTORE_PAYLOAD_MAX, XsType, encode, joinStrings, splitStrings } from './wire';
import type { XenstoreDaemon } from './daemon';

/**
 * Where a connection's bytes go: a socket, or an in-process xenbus ring. `consumed` is
 * called once the bytes have left for the client (written to the socket, handed to the
 * guest): until then they count as the connection's outstanding replies and events.
 */
export interface ConnectionSink {
  write(frame: Buffer, consumed: () => void): void;
  close(): void;
}

const OK = Buffer.from('OK\0', 'latin1');

/** The types Xen 4.17's xenstored has a handler for (wire_funcs[] in xenstored_core.c). */
const HANDLED: ReadonlySet<number> = new Set([
  XsType.CONTROL, XsType.DIRECTORY, XsType.READ, XsType.GET_PERMS, XsType.WATCH, XsType.UNWATCH,
  XsType.TRANSACTION_START, XsType.TRANSACTION_END, XsType.INTRODUCE, XsType.RELEASE,
  XsType.GET_DOMAIN_PATH, XsType.WRITE, XsType.MKDIR, XsType.RM, XsType.SET_PERMS,
  XsType.IS_DOMAIN_INTRODUCED, XsType.RESUME, XsType.SET_TARGET, XsType.RESET_WATCHES,
  XsType.DIRECTORY_PART,
]);
/** XS_FLAG_PRIV in 4.17's wire_funcs[]: dom0 only. */
const PRIVILEGED: ReadonlySet<number> = new Set([XsType.CONTROL, XsType.INTRODUCE, XsType.RELEASE, XsType.IS_DOMAIN_INTRODUCED, XsType.RESUME, XsType.SET_TARGET]);
/** XS_FLAG_NOTID: the tx_id is ignored. */
const NO_TXID: ReadonlySet<number> = new Set([XsType.WATCH, XsType.UNWATCH]);
/** DOMID_SELF (xen/include/public/xen.h): IS_DOMAIN_INTRODUCED answers T for it. */
const DOMID_SELF = 0x7ff0;

/** What a connection carries over a live update. */
export interface ConnectionState {
  domid: number;
  watches: { path: string; abs: string; token: string; relativeBase?: string }[];
  transactions: number[];
  /** Bytes received but not handled, one latin1 char per byte. */
  pending: string;
}

export class Connection implements WatchOwner, Caller {
  readonly transactions = new Map<number, Transaction>();
  private readonly decoder = new FrameDecoder();
  private out: Buffer[] = [];
  private flushQueued = false;
  /** Events to send right after the reply being built (a new watch's first event). */
  private afterReply: [string, string][] = [];
  private closed = false;
  /** Live update in progress: bytes are held, not handled. */
  private frozen = false;
  /** Requests handled so far (a domain's ring is attached by the first one). */
  private handled = 0;
  /** Replies and watch events queued or written but not yet consumed (quota-outstanding). */
  private outstanding = 0;
  /** Requests received but not handled while the outstanding quota is reached. */
  private backlog: XsMessage[] = [];

  constructor(
    private readonly daemon: XenstoreDaemon,
    public domid: number,
    private readonly sink: ConnectionSink,
    public privileged: boolean,
  ) {}

  get target(): number | undefined {
    return this.daemon.targetOf(this.domid);
  }

  get quota(): XsQuota {
    return this.daemon.quota;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  mayRead(perms: readonly Perm[]): boolean {
    return ops.mayAccess(this, perms, 'read');
  }

  deliver(epath: string, token: string): void {
    if (this.closed) return;
    this.out.push(encode(XsType.WATCH_EVENT, 0, 0, joinStrings([epath, token])));
    this.outstanding++;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Bytes from the client. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    if (this.frozen) {
      this.decoder.hold(chunk);
      return;
    }
    let msgs: XsMessage[];
    try {
      msgs = this.decoder.push(chunk);
    } catch (e) {
      if (e instanceof WireError) {
        this.daemon.log(`xenstored: closing connection of dom${this.domid}: ${e.message}`);
        this.close();
        return;
      }
      throw e;
    }
    if (this.backlog.length > 0) this.backlog.push(...msgs);
    else if (msgs.length > 0) this.backlog = msgs;
    this.work();
  }

  /**
   * Handles the requests received, unless the connection has `quota.outstanding` replies
   * and events its client has not taken yet: then, as C xenstored does for a domain
   * (xenstored_core.c conn_can_read() with domain_req_outstanding(), XSA-326), it reads
   * no more requests until the client catches up. Privileged connections have no limit.
   */
  private work(): void {
    let i = 0;
    const q = this.quota.outstanding;
    const limited = !this.privileged && q > 0;
    for (; i < this.backlog.length && !this.closed && !this.frozen; i++) {
      if (limited && this.outstanding >= q) break;
      this.out.push(this.handle(this.backlog[i]!));
      this.outstanding++;
      if (this.afterReply.length > 0) {
        for (const [p, t] of this.afterReply) this.deliver(p, t);
        this.afterReply = [];
      }
    }
    this.backlog = i === this.backlog.length ? [] : this.backlog.slice(i);
    this.flush();
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed || this.out.length === 0) return;
    const n = this.out.length;
    const b = n === 1 ? this.out[0]! : Buffer.concat(this.out);
    this.out = [];
    this.sink.write(b, () => this.consumed(n));
  }

  private consumed(n: number): void {
    this.outstanding -= n;
    if (this.backlog.length > 0 && !this.closed) queueMicrotask(() => this.work());
  }

  /** Stops handling requests (live update); what arrives is kept for the next daemon. */
  freeze(): void {
    this.flush();
    this.frozen = true;
  }

  /** This connection's state for the next daemon (live update). */
  exportState(): ConnectionState {
    return {
      domid: this.domid,
      watches: this.daemon.watches.list(this).map((w) => ({
        path: w.path,
        abs: w.abs,
        token: w.token,
        ...(w.relativeBase === undefined ? {} : { relativeBase: w.relativeBase }),
      })),
      transactions: [...this.transactions.keys()],
      // requests held back by the outstanding quota go first, then the partial bytes
      pending: Buffer.concat([...this.backlog.splice(0).map((m) => encode(m.type, m.reqId, m.txId, m.payload)), this.decoder.takePending()]).toString('latin1'),
    };
  }

  /**
   * Takes over a connection of the previous daemon: its watches, its transactions (which
   * can now only end in EAGAIN), and the bytes it had not handled yet.
   */
  importState(s: ConnectionState): void {
    for (const w of s.watches) this.daemon.watches.add({ owner: this, ...w });
    for (const id of s.transactions) {
      const t = new Transaction(id, this.daemon.store);
      t.doomed = true;
      this.transactions.set(id, t);
    }
    if (s.pending.length > 0) this.receive(Buffer.from(s.pending, 'latin1'));
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.transactions.clear();
    this.daemon.disconnected(this);
    this.sink.close();
  }

  /** Runs one request; returns its reply frame (watch events are queued separately). */
  handle(m: XsMessage): Buffer {
    this.handled++;
    try {
      const body = this.dispatch(m);
      if (body.length > XENSTORE_PAYLOAD_MAX) throw new XsError('E2BIG', 'reply too large');
      return encode(m.type, m.reqId, m.txId, body);
    } catch (e) {
      if (!(e instanceof XsError)) throw e;
      return encode(XsType.ERROR, m.reqId, m.txId, `${e.code}\0`);
    }
  }

  private path(p: string | undefined, special = false): string {
    if (p === undefined) throw new XsError('EINVAL', 'missing path');
    const abs = canonicalize(this.domid, p, special);
    if (!this.privileged && !abs.startsWith('@') && exceeds(this.quota.pathMax, relLength(abs, this.domid))) {
      throw new XsError('EINVAL', 'path too long');
    }
    return abs;
  }

  private view(txId: number): NodeView {
    if (txId === 0) return this.daemon.store;
    const t = this.transactions.get(txId);
    if (t === undefined) throw new XsError('ENOENT', `transaction ${txId}`);
    return t;
  }

  /** Records a change: into the transaction, or committed (watches fire) now. */
  private changed(txId: number, ch: Change | null): Buffer {
    if (ch !== null) {
      if (txId === 0) this.daemon.committed([ch]);
      else this.transactions.get(txId)?.events.push(ch);
    }
    return OK;
  }

  private dispatch(m: XsMessage): Buffer {
    // process_message()'s checks, in its order (see the head of this file)
    if (!HANDLED.has(m.type)) throw new XsError('ENOSYS', `unknown operation ${m.type}`);
    if (PRIVILEGED.has(m.type)) this.privOnly();
    if (m.txId !== 0 && !NO_TXID.has(m.type) && !this.transactions.has(m.txId)) throw new XsError('ENOENT', `transaction ${m.txId}`);
    const args = splitStrings(m.payload);
    switch (m.type) {
      case XsType.READ:
        return ops.read(this.view(m.txId), this, this.path(args[0]));
      case XsType.DIRECTORY:
        return joinStrings(ops.directory(this.view(m.txId), this, this.path(args[0])));
      case XsType.DIRECTORY_PART:
        return this.directoryPart(m.txId, args);
      case XsType.GET_PERMS: {
        const p = this.path(args[0], true);
        const perms = isSpecialPath(p) ? this.specialPerms(p) : ops.getPerms(this.view(m.txId), this, p);
        return joinStrings(perms.map(formatPerm));
      }
      case XsType.WRITE: {
        const nul = m.payload.indexOf(0);
        if (nul < 0) throw new XsError('EINVAL', 'WRITE without value');
        const p = this.path(m.payload.toString('latin1', 0, nul));
        return this.changed(m.txId, ops.write(this.view(m.txId), this, p, Buffer.from(m.payload.subarray(nul + 1))));
      }
      case XsType.MKDIR:
        return this.changed(m.txId, ops.mkdir(this.view(m.txId), this, this.path(args[0])));
      case XsType.RM:
        return this.changed(m.txId, ops.rm(this.view(m.txId), this, this.path(args[0])));
      case XsType.SET_PERMS: {
        const p = this.path(args[0], true);
        const perms = parsePerms(args.slice(1));
        if (isSpecialPath(p)) {
          this.privOnly();
          if (!this.daemon.specialPerms.has(p)) throw new XsError('ENOENT', p);
          this.daemon.specialPerms.set(p, perms);
          this.daemon.metaChanged();
          return OK;
        }
        return this.changed(m.txId, ops.setPerms(this.view(m.txId), this, p, perms));
      }
      case XsType.WATCH:
        return this.watch(m.payload);
      case XsType.UNWATCH: {
        if (args[1] === undefined) throw new XsError('EINVAL', 'UNWATCH needs a token');
        this.daemon.watches.remove(this, this.path(args[0], true), args[1]);
        return OK;
      }
      case XsType.RESET_WATCHES:
        this.daemon.watches.removeAll(this);
        this.transactions.clear();
        return OK;
      case XsType.TRANSACTION_START: {
        if (m.txId !== 0) throw new XsError('EBUSY', 'TRANSACTION_START inside a transaction');
        // 4.17's do_transaction_start() refuses when the count already started is *over* the
        // quota (conn->transaction_started > quota_max_transaction), so a domain may open
        // quota + 1; later xenstored (domain_quota_add_exceeds) admits exactly the quota
        if (!this.privileged && exceeds(this.quota.transactions, this.transactions.size)) {
          throw new XsError('ENOSPC', 'transactions quota');
        }
        const id = this.daemon.allocTxId();
        const limit = this.privileged ? 0 : this.quota.transactionNodes;
        this.transactions.set(id, new Transaction(id, this.daemon.store, limit));
        return Buffer.from(`${id}\0`, 'latin1');
      }
      case XsType.TRANSACTION_END: {
        const arg = args[0];
        if (arg !== 'T' && arg !== 'F') throw new XsError('EINVAL', 'TRANSACTION_END needs T or F');
        const t = this.transactions.get(m.txId);
        if (t === undefined) throw new XsError('ENOENT', `transaction ${m.txId}`);
        this.transactions.delete(m.txId);
        if (arg === 'T') this.daemon.committed(t.commit());
        return OK;
      }
      case XsType.GET_DOMAIN_PATH:
        return Buffer.from(`${domainPath(atoiDomid(oneArg(m.payload)))}\0`, 'latin1');
      case XsType.INTRODUCE: {
        const domid = domidArg(args[0]);
        const mfn = args[1] !== undefined && /^-?[0-9]+$/.test(args[1]) ? BigInt(args[1]) : undefined;
        const port = args[2] !== undefined && /^[0-9]+$/.test(args[2]) ? Number(args[2]) : undefined;
        // do_introduce(): three strings, and an event channel port above 0
        if (mfn === undefined || port === undefined || port <= 0) throw new XsError('EINVAL', 'INTRODUCE <domid> <mfn> <evtchn>');
        if (this.attachRing(domid, mfn, port)) return OK;
        this.daemon.introduce(domid, mfn, port);
        return OK;
      }
      case XsType.RELEASE:
        this.daemon.release(domidArg(args[0]));
        return OK;
      case XsType.IS_DOMAIN_INTRODUCED:
      {
        // do_is_domain_introduced(): DOMID_SELF is always there
        const domid = domidArg(args[0]);
        return Buffer.from(domid === DOMID_SELF || this.daemon.isIntroduced(domid) ? 'T\0' : 'F\0', 'latin1');
      }
      case XsType.RESUME:
        this.daemon.resume(nonzeroDomidArg(args[0]));
        return OK;
      case XsType.SET_TARGET:
        this.daemon.setTarget(domidArg(args[0]), domidArg(args[1]));
        return OK;
      case XsType.CONTROL:
        return this.control(args);
      default:
        throw new XsError('ENOSYS', `unknown operation ${m.type}`);
    }
  }

  /**
   * A domain's xenbus ring, over the socket: C xenstored talks to a domain through the
   * ring page and event channel dom0 gave it in INTRODUCE. Without a hypervisor the
   * guest's end is a socket connection whose first request is INTRODUCE naming that same
   * domain, page and channel; from then on the connection is that domain's, unprivileged
   * (relative paths under its home, its permissions and quotas). Any other INTRODUCE is
   * dom0's, as usual.
   */
  private attachRing(domid: number, mfn: bigint, port: number): boolean {
    if (this.handled !== 1 || this.domid !== 0) return false;
    const d = this.daemon.domains.get(domid);
    if (d === undefined || d.mfn !== mfn || d.evtchn !== port) return false;
    this.domid = domid;
    this.privileged = false;
    return true;
  }

  private privOnly(): void {
    if (!this.privileged) throw new XsError('EACCES', 'privileged operation');
  }

  private specialPerms(p: string): readonly Perm[] {
    const perms = this.daemon.specialPerms.get(p);
    if (perms === undefined) throw new XsError('ENOENT', p);
    if (!this.privileged && !permits(perms, this.domid, 'read', this.target)) throw new XsError('EACCES', p);
    return perms;
  }

  private watch(payload: Buffer): Buffer {
    // 4.17's do_watch(): get_strings() must find exactly two NUL-terminated strings, so the
    // optional <depth> xenstore.txt describes (a later xenstored's) is EINVAL here
    const args = terminatedStrings(payload);
    if (args.length !== 2) throw new XsError('EINVAL', 'WATCH <path> <token>');
    const [given, token] = args as [string, string];
    const abs = this.path(given, true);
    // 4.17's do_watch(): E2BIG when the watches already set are *over* the quota
    // (domain_watch(conn) > quota_nb_watch_per_domain), so quota + 1 may be set, as with
    // transactions above
    if (!this.privileged && exceeds(this.quota.watches, this.daemon.watches.count(this))) {
      throw new XsError('E2BIG', 'watches quota');
    }
    const relative = !given.startsWith('/') && !given.startsWith('@');
    this.daemon.watches.add({
      owner: this,
      path: given,
      abs,
      token,
      ...(relative ? { relativeBase: `${domainPath(this.domid)}/` } : {}),
    });
    // The initial event follows the OK reply, as C xenstored sends it.
    this.afterReply.push([given, token]);
    return OK;
  }

  private directoryPart(txId: number, args: string[]): Buffer {
    const p = this.path(args[0]);
    const offArg = args[1];
    if (offArg === undefined || !/^[0-9]+$/.test(offArg)) throw new XsError('EINVAL', 'DIRECTORY_PART <path> <offset>');
    const off = Number(offArg);
    const view = this.view(txId);
    const node = ops.access(view, this, p, 'read');
    const all = joinStrings([...node.children]);
    if (off > all.length) throw new XsError('EINVAL', 'offset beyond the children');
    const gen = Buffer.from(`${node.generation}\0`, 'latin1');
    const max = XENSTORE_PAYLOAD_MAX - gen.length - 1;
    let end = off;
    while (end < all.length) {
      const nul = all.indexOf(0, end);
      if (nul + 1 - off > max) break;
      end = nul + 1;
    }
    if (end === off && off < all.length) throw new XsError('E2BIG', 'child name too long');
    // A final empty string marks the end of the list.
    const tail = end === all.length ? Buffer.from([0]) : Buffer.alloc(0);
    return Buffer.concat([gen, all.subarray(off, end), tail]);
  }

  private liveUpdate(args: string[]): Buffer {
    const what = liveUpdateArgs(args);
    if (what !== 'start') return OK;
    const go = this.daemon.requestLiveUpdate;
    if (go === undefined) throw new XsError('ENOSYS', 'live update needs the xenstored supervisor');
    // The reply goes out before the handover starts.
    setImmediate(go);
    return OK;
  }

  private control(args: string[]): Buffer {
    switch (args[0]) {
      case 'check':
        return OK;
      case 'print':
        this.daemon.log(args[1] ?? '');
        return OK;
      case 'help':
        return Buffer.from('check\nprint\nhelp\nquota\nlive-update\n\0', 'latin1');
      case 'live-update':
        return this.liveUpdate(args.slice(1));
      default:
        throw new XsError('EINVAL', `control ${args[0] ?? ''}`);
    }
  }
}

/**
 * CONTROL live-update as Xen 4.17's xenstore-control drives it (tools/xs-clients/
 * xenstore_control.c): `-f <binary>` and `-c <cmdline>` prepare (our next daemon is
 * always this one's code, so they are only checked), `-a` aborts, `-s [-t secs] [-F]`
 * starts; replies are plain strings ("OK"). A stub-domain kernel (`-b`) is not for us.
 */
function liveUpdateArgs(args: string[]): 'prepare' | 'abort' | 'start' {
  const [op, ...rest] = args;
  switch (op) {
    case '-f':
    case '-c':
      if (rest[0] === undefined) throw new XsError('EINVAL', `live-update ${op} needs an argument`);
      return 'prepare';
    case '-a':
      return 'abort';
    case '-s':
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === '-F') continue;
        if ((a === '-t' || a === '-v') && rest[i + 1] !== undefined && /^[0-9]+$/.test(rest[i + 1]!)) {
          i++;
          continue;
        }
        throw new XsError('EINVAL', `live-update -s: bad argument ${a ?? ''}`);
      }
      return 'start';
    case '-b':
      throw new XsError('ENOSYS', 'live-update of a stub domain');
    default:
      throw new XsError('EINVAL', `live-update ${op ?? ''}`);
  }
}

/** onearg_domain() (xenstored_domain.c) of RELEASE and RESUME: domain 0 is EINVAL. */
function nonzeroDomidArg(s: string | undefined): number {
  const d = domidArg(s);
  if (d === 0) throw new XsError('EINVAL', 'domain 0');
  return d;
}

function domidArg(s: string | undefined): number {
  if (s === undefined || !/^[0-9]{1,5}$/.test(s)) throw new XsError('EINVAL', `bad domid ${JSON.stringify(s ?? '')}`);
  const n = Number(s);
  if (n > 0xffff) throw new XsError('EINVAL', `bad domid ${s}`);
  return n;
}

/**
 * onearg() (4.17 xenstored_core.c): the payload is exactly one NUL-terminated string,
 * nothing before or after its NUL; anything else is EINVAL.
 */
function oneArg(payload: Buffer): string {
  const nul = payload.indexOf(0);
  if (payload.length === 0 || nul !== payload.length - 1) throw new XsError('EINVAL', 'expected one argument');
  return payload.toString('latin1', 0, nul);
}

/**
 * The domid of 4.17's do_get_domain_path(): talloc_domain_path(ctx, atoi(domid_str)) with
 * no check, so the text goes through glibc's atoi (= (int)strtol(s, NULL, 10) on LP64:
 * leading white space, a sign, the digits up to the first non-digit, clamped to the 64-bit
 * long range) and then is taken as an unsigned int: "x" and "" are domain 0, "5x" is 5,
 * "-1" is 4294967295.
 */
export function atoiDomid(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]*)/.exec(s);
  const digits = m?.[2] ?? '';
  if (digits === '') return 0;
  const LONG_MAX = (1n << 63n) - 1n;
  let v = BigInt(digits);
  if (m?.[1] === '-') v = v > LONG_MAX + 1n ? -(LONG_MAX + 1n) : -v;
  else if (v > LONG_MAX) v = LONG_MAX;
  return Number(BigInt.asUintN(32, v));
}

/** The strings get_strings() (4.17 xenstored_core.c) counts: each ended by a NUL. */
function terminatedStrings(payload: Buffer): string[] {
  const out: string[] = [];
  for (let start = 0, nul = payload.indexOf(0); nul >= 0; start = nul + 1, nul = payload.indexOf(0, start)) {
    out.push(payload.toString('latin1', start, nul));
  }
  return out;
}

function relLength(abs: string, domid: number): number {
  const base = `${domainPath(domid)}/`;
  return abs.startsWith(base) ? abs.length - base.length : abs.length;
}
