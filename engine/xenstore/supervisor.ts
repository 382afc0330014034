/**
 * The xenstored supervisor: the long-lived process behind `npx xenstored`. It owns the
 * unix socket and every client socket, and runs the daemon in a worker process
 * (worker.ts), giving it each client socket over IPC while keeping its own (paused,
 * never read) copy. A live update (CONTROL live-update, e.g. `xenstore-control
 * live-update`, or SIGHUP) replaces the worker by a fresh one: the old worker freezes,
 * drains and hands its state over (live-update.ts); the new one gets the same sockets, so
 * clients keep their connections, watches and committed data, and transactions open
 * across the update end with EAGAIN. If the worker dies, the supervisor starts another
 * from the state directory and drops the client connections (clients reconnect).
 */
import net from 'node:net';
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FsyncPolicy } from './persist';
import { listenOnFreshSocket } from './unix-socket';
import type { FromWorker, LiveState, ToWorker } from './live-update';

export interface SupervisorOptions {
  socket: string;
  stateDir?: string;
  fsync?: FsyncPolicy;
  log?: (line: string) => void;
}

export interface LiveUpdateResult {
  /** Requests wait this long: from freezing the old worker to the new one serving. */
  ms: number;
  connections: number;
}

export class Supervisor {
  private readonly server: net.Server;
  private readonly sockets = new Map<number, net.Socket>();
  private nextId = 1;
  private worker: ChildProcess | undefined;
  private updating: Promise<LiveUpdateResult> | undefined;
  private stopping = false;
  private queued: number[] = [];
  private readonly log: (line: string) => void;
  nodes = 0;

  private constructor(private readonly opts: SupervisorOptions) {
    this.log = opts.log ?? (() => {});
    this.server = net.createServer({ pauseOnConnect: true }, (s) => this.accept(s));
  }

  static async start(opts: SupervisorOptions): Promise<Supervisor> {
    const s = new Supervisor(opts);
    await s.spawnWorker(undefined);
    try {
      await s.listen();
    } catch (e) {
      await s.stopWorker();
      throw e;
    }
    return s;
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** The daemon (worker) process, while one runs. */
  get workerPid(): number | undefined {
    return this.worker?.pid;
  }

  private async listen(): Promise<void> {
    await listenOnFreshSocket(this.server, this.opts.socket, 'a xenstored');
  }

  private accept(sock: net.Socket): void {
    if (this.stopping) {
      sock.destroy();
      return;
    }
    const id = this.nextId++;
    this.sockets.set(id, sock);
    sock.on('error', () => {});
    if (this.updating !== undefined || this.worker === undefined) this.queued.push(id);
    else this.handOver(id);
  }

  private handOver(id: number): void {
    const sock = this.sockets.get(id);
    if (sock === undefined) return;
    if (this.worker === undefined) {
      this.queued.push(id);
      return;
    }
    // The worker may have died a moment ago (its IPC channel closed before its exit event
    // came): the connection then waits for the next worker, or goes if we are stopping.
    const w = this.worker;
    const retry = (): void => {
      if (this.stopping) {
        this.sockets.delete(id);
        sock.destroy();
      } else if (this.worker === w) this.queued.push(id);
      else this.handOver(id);
    };
    if (!w.connected) return retry();
    w.send({ t: 'conn', id } satisfies ToWorker, sock, { keepOpen: true }, (err) => {
      if (err) retry();
    });
  }

  /** Hands the connections accepted while no worker could take them. */
  private flushQueued(): void {
    const q = this.queued;
    this.queued = [];
    for (const id of q) this.handOver(id);
  }

  private async spawnWorker(live: LiveState | undefined): Promise<number> {
    return this.initWorker(await this.forkWorker(), live);
  }

  /** Starts a worker process and waits until its code is loaded (it then waits for init). */
  private forkWorker(): Promise<ChildProcess> {
    const w = fork(workerModule(), [], { execArgv: workerExecArgv(), serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`xenstored worker exited (${code}) while starting`));
      w.once('exit', onExit);
      w.once('message', () => {
        w.off('exit', onExit);
        resolve(w);
      });
    });
  }

  /** Gives a loaded worker its state; resolves once it serves, with its load time. */
  private initWorker(w: ChildProcess, live: LiveState | undefined): Promise<number> {
    this.worker = w;
    return new Promise<number>((resolve, reject) => {
      const onExit = (code: number | null): void => reject(new Error(`xenstored worker exited (${code}) while starting`));
      w.once('exit', onExit);
      w.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'ready':
            w.off('exit', onExit);
            w.on('exit', (code) => this.workerDied(w, code));
            this.nodes = m.nodes;
            resolve(m.loadMs);
            break;
          case 'closed':
            this.sockets.get(m.id)?.destroy();
            this.sockets.delete(m.id);
            break;
          case 'live-update':
            void this.liveUpdate().catch((e: Error) => this.log(`xenstored: live update failed: ${e.message}`));
            break;
          case 'log':
            this.log(m.line);
            break;
          case 'error':
            this.log(`xenstored worker: ${m.message}`);
            break;
          case 'state':
          case 'hello':
            break;
        }
      });
      const init: ToWorker = {
        t: 'init',
        fsync: this.opts.fsync ?? 'batch',
        ...(this.opts.stateDir === undefined ? {} : { stateDir: this.opts.stateDir }),
        ...(live === undefined ? {} : { live }),
      };
      w.send(init);
    });
  }

  private workerDied(w: ChildProcess, code: number | null): void {
    if (this.worker !== w || this.stopping || this.updating !== undefined) return;
    this.log(`xenstored: worker exited (${code}); restarting it, clients must reconnect`);
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    this.worker = undefined;
    void this.spawnWorker(undefined)
      .then(() => this.flushQueued())
      .catch((e: Error) => this.log(`xenstored: cannot restart the worker: ${e.message}`));
  }

  /** Replaces the worker, keeping connections, watches and data. */
  liveUpdate(): Promise<LiveUpdateResult> {
    this.updating ??= this.doLiveUpdate().finally(() => {
      this.updating = undefined;
      this.flushQueued();
    });
    return this.updating;
  }

  private async doLiveUpdate(): Promise<LiveUpdateResult> {
    const old = this.worker;
    if (old === undefined) throw new Error('no worker');
    // The new process is started first: the clients wait only for the state handover.
    const next = await this.forkWorker();
    const t0 = performance.now();
    const live = await new Promise<LiveState>((resolve, reject) => {
      const onExit = (): void => reject(new Error('worker exited before handing over'));
      old.once('exit', onExit);
      old.on('message', (m: FromWorker) => {
        if (m.t === 'state') {
          old.off('exit', onExit);
          resolve(m.live);
        }
      });
      old.send({ t: 'live-update' } satisfies ToWorker);
    });
    // The old worker has closed its copies of the sockets before sending its state; it
    // exits on its own.
    const ids = new Set(live.conns.map((c) => c.id));
    // Connections the old worker never saw (accepted during the update) come after.
    for (const id of this.sockets.keys()) if (!ids.has(id) && !this.queued.includes(id)) this.queued.push(id);
    const tState = performance.now();
    const loadMs = await this.initWorker(next, live);
    for (const { id } of live.conns) this.handOver(id);
    const r = { ms: performance.now() - t0, connections: live.conns.length };
    this.log(
      `xenstored: live update done in ${r.ms.toFixed(0)} ms (state out ${(tState - t0).toFixed(0)} ms, of which dump ` +
        `${(live.dumpMs ?? 0).toFixed(0)} ms; state in ${loadMs.toFixed(0)} ms; ${this.nodes} nodes), ${r.connections} connections kept`,
    );
    return r;
  }

  private async stopWorker(): Promise<void> {
    const w = this.worker;
    if (w === undefined || w.exitCode !== null) return;
    const exited = new Promise((r) => w.once('exit', r));
    w.send({ t: 'shutdown' } satisfies ToWorker);
    await exited;
  }

  /** Clean shutdown: the worker snapshots its state, the socket goes away. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.updating) await this.updating.catch(() => undefined);
    await this.stopWorker();
    for (const s of this.sockets.values()) s.destroy();
    this.sockets.clear();
    // Not waiting for close's callback: for a server whose sockets went to a child
    // process, Node asks that child for its connection count, and ours is gone.
    this.server.close();
    try {
      unlinkSync(this.opts.socket);
    } catch {
      // already gone
    }
  }
}

/**
 * The worker's code: worker.ts beside this module, run through tsx; in the console's
 * bundled main process (electron.vite.config.ts) the bundle's xenstored-worker.js.
 */
function workerModule(): string {
  const ts = fileURLToPath(new URL('./worker.ts', import.meta.url));
  return existsSync(ts) ? ts : fileURLToPath(new URL('./xenstored-worker.js', import.meta.url));
}

/** The worker's node options: tsx for the TypeScript source; $XENSTORED_CPU_PROF=DIR profiles it (node --cpu-prof). */
function workerExecArgv(): string[] {
  const prof = process.env.XENSTORED_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.XENSTORED_CPU_PROF}`] : [];
  if (!workerModule().endsWith('.ts')) return prof;
  return [...prof, '--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}
