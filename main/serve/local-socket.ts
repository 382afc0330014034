/**
 * The api on a local socket, for command-line clients of a running XenDeck (the way xl
 * reaches a running toolstack): a unix socket in a private folder of the user's runtime
 * directory (folder 0700, socket 0600: only this user), or a named pipe on Windows.
 * Messages are the same envelopes as on the WebSocket, one JSON object per line.
 */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { isAlive } from '../../engine/xenstore/unix-socket';
import { join } from 'node:path';
import { ApiSession, MAX_CLIENT_MESSAGE_BYTES } from '../api/session';
import type { Router } from '../api/router';
import { defaultSocketPath } from './socket-path';

export { defaultSocketPath };

export interface LocalSocket {
  path: string;
  close(): Promise<void>;
}


export async function startLocalSocket(router: Router, path: string = defaultSocketPath()): Promise<LocalSocket> {
  if (!path.startsWith('\\\\.\\pipe\\')) {
    const dir = join(path, '..');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid()) || (st.mode & 0o077) !== 0) {
      throw new Error(`${dir} must be a folder of this user that nobody else can open (mode 0700); refusing to put the api socket there`);
    }
    try {
      lstatSync(path);
      if (await isAlive(path)) throw new Error(`another XenDeck is already serving its api at ${path}`);
      unlinkSync(path); // a stale socket left by a crash
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    const session = new ApiSession(router, (m) => {
      if (!sock.destroyed) sock.write(`${JSON.stringify(m)}\n`);
    });
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() !== '') void session.receive(line);
      }
      if (buf.length > MAX_CLIENT_MESSAGE_BYTES) {
        void session.receive(buf); // answered with E2BIG
        buf = '';
      }
    });
    sock.on('close', () => {
      session.close();
      sockets.delete(sock);
    });
    sock.on('error', () => sock.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (!path.startsWith('\\\\.\\pipe\\')) chmodSync(path, 0o600);
  return {
    path,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
