/**
 * Where a running XenDeck's api socket is (local-socket.ts serves it there), apart from
 * the server code so that a command-line client finds it without loading the server:
 * $XENDECK_SOCKET, else xendeck-UID/api.sock in the user's runtime folder, or a named
 * pipe on Windows.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function defaultSocketPath(env: Record<string, string | undefined> = process.env, platform: string = process.platform): string {
  if (env.XENDECK_SOCKET) return env.XENDECK_SOCKET;
  if (platform === 'win32') return '\\\\.\\pipe\\xendeck-api';
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  return join(env.XDG_RUNTIME_DIR || tmpdir(), `xendeck-${uid}`, 'api.sock');
}
