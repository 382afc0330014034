/**
 * Taking a unix socket path the way C xenstored does at start: a stale socket file left
 * by a dead process is replaced; one something still answers on is refused (EADDRINUSE),
 * so a second daemon never steals the clients of the first.
 */
import net from 'node:net';
import { existsSync, unlinkSync } from 'node:fs';

/** True when something accepts connections on `path`. */
export function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** Listens on `path` after clearing a stale socket; `who` names what already listens there. */
export async function listenOnFreshSocket(server: net.Server, path: string, who: string): Promise<void> {
  if (existsSync(path)) {
    if (await isAlive(path)) throw Object.assign(new Error(`${path}: ${who} is already listening`), { code: 'EADDRINUSE' });
    unlinkSync(path);
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
