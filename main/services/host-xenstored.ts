/**
 * An embedded host's xenstored as its own process (issue 6): the xenstored supervisor
 * (engine/xenstore/supervisor.ts) holding the host's unix socket, with the daemon in a
 * worker process, its state directory in the lab (<lab>/xenstore/<host>/) and its socket
 * in the user's private runtime folder (folder 0700, socket 0600;
 * main/serve/socket-path.ts). The toolstack (HostXenstore) talks to it over that socket
 * as dom0; so can an administrator's tools: XENSTORED_PATH=<socket> xenstore-ls.
 *
 * The host boots with an empty store, as a Xen host does (its xenstored database lives
 * in /var/run, tmpfs, and is gone at boot): the state directory is cleared when the host
 * starts, and kept while it runs. If the daemon process dies, the supervisor starts
 * another from the state directory and drops the connections; HostXenstore reconnects
 * and sends the operation in flight again. Stopped with the host.
 */
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { XsClient } from '../../engine/xenstore/client';
import { Supervisor } from '../../engine/xenstore/supervisor';
import { HostXenstore } from '../../engine/toolstack/host-xenstore';
import { xenstoredSocketPath } from '../serve/socket-path';

export class HostXenstored {
  readonly xenstore: HostXenstore;
  private readonly started: Promise<Supervisor>;
  private stopped = false;

  private constructor(
    readonly socketPath: string,
    readonly stateDir: string,
    log: (line: string) => void,
  ) {
    this.started = this.start(log);
    // An unhandled rejection here would end the process; the error reaches the callers
    // of the host's xenstore instead (HostXenstore.onError or the awaited request).
    this.started.catch(() => {});
    this.xenstore = new HostXenstore({
      socketPath,
      connector: async () => {
        await this.started;
        if (this.stopped) throw new Error(`${hostLabel(socketPath)}: xenstored stopped`);
        return XsClient.connect(socketPath);
      },
    });
  }

  /** Starts host `hostId`'s xenstored (its socket is ready when the first request goes out). */
  static launch(labDir: string, hostId: string, log: (line: string) => void = () => {}): HostXenstored {
    return new HostXenstored(xenstoredSocketPath(labDir, hostId), join(labDir, 'xenstore', hostId), log);
  }

  private async start(log: (line: string) => void): Promise<Supervisor> {
    privateFolder(dirname(this.socketPath));
    rmSync(this.stateDir, { recursive: true, force: true });
    mkdirSync(this.stateDir, { recursive: true, mode: 0o700 });
    const sup = await Supervisor.start({ socket: this.socketPath, stateDir: this.stateDir, log });
    chmodSync(this.socketPath, 0o600);
    return sup;
  }

  /** The pid of the daemon process (kill -9 it: the supervisor restarts it). */
  async daemonPid(): Promise<number | undefined> {
    return (await this.started).workerPid;
  }

  async stop(): Promise<void> {
    await this.xenstore.close();
    this.stopped = true;
    const sup = await this.started.catch(() => undefined);
    await sup?.stop();
  }
}

function hostLabel(socket: string): string {
  return socket.replace(/^.*\//, '').replace(/\.sock$/, '');
}

/** The runtime folder must be this user's alone (0700), as the api socket's is. */
function privateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const d of [dir, dirname(dir)]) {
    const st = lstatSync(d);
    if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
      throw new Error(`${d} must be a folder of this user that nobody else can open (mode 0700); refusing to put a xenstored socket there`);
    }
  }
}
