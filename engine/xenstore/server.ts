/**
 * xenstored's unix socket (C xenstored's $XENSTORED_RUNDIR/socket; clients find it through
 * XENSTORED_PATH or XENSTORED_RUNDIR, tools/include/xen-tools/xenstore-common.h). Every
 * socket client is a dom0 (privileged) connection. A stale socket file left by a dead
 * daemon is replaced; a live one is refused (EADDRINUSE).
 */
import net from 'node:net';
import type { XenstoreDaemon } from './daemon';
import { listenOnFreshSocket } from './unix-socket';
import { unlinkSync } from 'node:fs';

export class XenstoreServer {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly daemon: XenstoreDaemon,
    readonly path: string,
  ) {
    this.server = net.createServer((sock) => this.accept(sock));
  }

  static async listen(daemon: XenstoreDaemon, path: string): Promise<XenstoreServer> {
    const s = new XenstoreServer(daemon, path);
    await listenOnFreshSocket(s.server, path, 'a xenstored');
    return s;
  }

  private accept(sock: net.Socket): void {
    this.sockets.add(sock);
    sock.setNoDelay?.(true);
    const conn = this.daemon.connect(0, {
      write: (b, consumed) => {
        if (!sock.destroyed) sock.write(b, consumed);
      },
      close: () => sock.end(),
    });
    sock.on('data', (chunk: Buffer) => conn.receive(chunk));
    sock.on('error', () => sock.destroy());
    sock.on('close', () => {
      this.sockets.delete(sock);
      conn.close();
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try {
      unlinkSync(this.path);
    } catch {
      // already gone
    }
  }
}
