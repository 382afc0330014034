/**
 * Where a running XenDeck's api socket is (local-socket.ts serves it there), apart from
 * the server code so that a command-line client finds it without loading the server:
 * $XENDECK_SOCKET, else xendeck-UID/api.sock in the user's runtime folder, or a named
 * pipe on Windows.
 */
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';

export function defaultSocketPath(env: Record<string, string | undefined> = process.env, platform: string = process.platform): string {
  if (env.XENDECK_SOCKET) return env.XENDECK_SOCKET;
  if (platform === 'win32') return '\\\\.\\pipe\\xendeck-api';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(env.XDG_RUNTIME_DIR || tmpdir(), `xendeck-${uid}`, 'api.sock');
}

/**
 * Where the xenstored of embedded host `hostId` of the lab in `labDir` listens
 * (main/services/host-xenstored.ts): xendeck-UID/xenstored/<lab>-<host>.sock in the same
 * private runtime folder, <lab> being a short hash of the lab folder so that two
 * consoles with different labs never share a socket. An administrator points Xen's tools
 * at it with XENSTORED_PATH.
 */
export function xenstoredSocketPath(labDir: string, hostId: string, env: Record<string, string | undefined> = process.env): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const lab = createHash('sha256').update(resolve(labDir)).digest('hex').slice(0, 8);
  return join(env.XDG_RUNTIME_DIR || tmpdir(), `xendeck-${uid}`, 'xenstored', `${lab}-${hostId}.sock`);
}
