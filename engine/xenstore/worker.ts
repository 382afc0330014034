/**
 * The xenstored worker process: the daemon proper, run by the supervisor (supervisor.ts)
 * and fed client sockets over IPC. On 'live-update' it stops handling requests, lets its
 * replies drain, hands its state back (live-update.ts) and exits without closing the
 * clients' sockets (the supervisor holds them).
 */
import type net from 'node:net';
import { XenstoreDaemon } from './daemon';
import type { Connection, ConnectionSink } from './connection';
import { Persistence, loadSnapshot, snapshotOf } from './persist';
import type { FromWorker, LiveState, ToWorker, WorkerInit } from './live-update';

/** A sink that holds frames until its socket arrives. */
class SocketSink implements ConnectionSink {
  sock: net.Socket | undefined;
  private held: [Buffer, () => void][] = [];
  closed = false;

  attach(sock: net.Socket): void {
    this.sock = sock;
    for (const [frame, consumed] of this.held) sock.write(frame, consumed);
    this.held = [];
  }

  write(frame: Buffer, consumed: () => void): void {
    if (this.sock === undefined) this.held.push([frame, consumed]);
    else if (!this.sock.destroyed) this.sock.write(frame, consumed);
  }

  close(): void {
    this.closed = true;
    this.sock?.destroy();
  }
}

interface Client {
  conn: Connection;
  sink: SocketSink;
}

function send(m: FromWorker): void {
  process.send?.(m);
}

let daemon: XenstoreDaemon | undefined;
let persistence: Persistence | undefined;
const clients = new Map<number, Client>();
let handingOver = false;

function init(m: WorkerInit): void {
  const t0 = performance.now();
  const d = new XenstoreDaemon({ log: (line) => send({ t: 'log', line }) });
  d.requestLiveUpdate = () => send({ t: 'live-update' });
  daemon = d;
  if (m.live?.snapshot) loadSnapshot(d, m.live.snapshot);
  if (m.stateDir !== undefined) persistence = new Persistence(d, m.stateDir, { fsync: m.fsync, adopt: m.live !== undefined });
  if (m.live) {
    d.restoreCounters(m.live.nextTx);
    for (const { id, state } of m.live.conns) {
      const sink = new SocketSink();
      const conn = d.connect(state.domid, sink);
      clients.set(id, { conn, sink });
      conn.importState(state);
    }
  }
  send({ t: 'ready', nodes: d.store.size, loadMs: performance.now() - t0 });
}

function attach(id: number, sock: net.Socket): void {
  const d = daemon!;
  let c = clients.get(id);
  if (c === undefined) {
    const sink = new SocketSink();
    c = { conn: d.connect(0, sink), sink };
    clients.set(id, c);
  }
  const { conn, sink } = c;
  sink.attach(sock);
  sock.on('data', (chunk: Buffer) => conn.receive(chunk));
  sock.on('error', () => sock.destroy());
  sock.on('close', () => {
    if (handingOver) return;
    clients.delete(id);
    conn.close();
    send({ t: 'closed', id });
  });
  if (sink.closed) sock.destroy();
}

async function liveUpdate(): Promise<void> {
  const d = daemon!;
  handingOver = true;
  for (const { conn } of clients.values()) conn.freeze();
  // Let the replies already written reach the clients.
  const t0 = Date.now();
  while ([...clients.values()].some((c) => (c.sink.sock?.writableLength ?? 0) > 0) && Date.now() - t0 < 5000) {
    await new Promise((r) => setTimeout(r, 1));
  }
  // The state goes over IPC even with a state directory: the journal already has every
  // change, so the next worker adopts the directory without reading it.
  const t1 = performance.now();
  const live: LiveState = {
    nextTx: d.peekTxId(),
    conns: [...clients].map(([id, c]) => ({ id, state: c.conn.exportState() })),
    snapshot: snapshotOf(d),
    dumpMs: 0,
  };
  live.dumpMs = performance.now() - t1;
  persistence?.detach();
  for (const c of clients.values()) c.sink.sock?.destroy();
  process.send?.({ t: 'state', live } satisfies FromWorker, () => process.exit(0));
}

function shutdown(): void {
  handingOver = true;
  daemon?.closeAll();
  persistence?.close();
  process.exit(0);
}

process.on('message', (m: ToWorker, handle?: unknown) => {
  try {
    switch (m.t) {
      case 'init':
        init(m);
        break;
      case 'conn':
        attach(m.id, handle as net.Socket);
        break;
      case 'live-update':
        void liveUpdate();
        break;
      case 'shutdown':
        shutdown();
        break;
    }
  } catch (e) {
    send({ t: 'error', message: (e as Error).stack ?? String(e) });
    process.exit(1);
  }
});
// The supervisor decides when we stop.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.on('disconnect', () => process.exit(0));
send({ t: 'hello' });
