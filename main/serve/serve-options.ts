/**
 * `npm run serve` flags. The console binds loopback unless told otherwise, and binding
 * anything else needs --allow-remote on top (the token is required either way), as
 * Jupyter does with --ip and its token.
 */
import { defaultSocketPath } from './local-socket';

export interface ServeOptions {
  host: string;
  port: number;
  allowRemote: boolean;
  /** Fixed token (scripts, tests); random when absent. */
  token: string | undefined;
  seed: number;
  /** The local api socket for command-line clients (null: none). */
  socketPath: string | null;
  /** Where the lab (its hosts, pinned SSH host keys) is kept. */
  labDir: string;
  /** Directory of the built renderer. */
  rendererDir: string;
}

export const DEFAULT_PORT = 7171;

export const SERVE_USAGE = `Usage: npm run serve -- [options]
  --host ADDR       address to bind (default 127.0.0.1)
  --port N          TCP port (default ${DEFAULT_PORT}; 0 picks a free one)
  --allow-remote    needed to bind an address other than loopback (the token still applies)
  --token T         use this token instead of a random one (or XENDECK_TOKEN)
  --seed N          seed of the embedded host (default 1)
  --lab DIR         where the lab's hosts and SSH host keys are kept (default $XENDECK_LAB or ./.lab)
  --socket PATH     the local api socket for command-line clients (default $XENDECK_SOCKET or
                    $XDG_RUNTIME_DIR/xendeck-UID/api.sock); --no-socket for none
  --help            this text`;

export class ServeUsageError extends Error {
  override readonly name = 'ServeUsageError';
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function parseServeArgs(argv: readonly string[], env: Record<string, string | undefined>, rendererDir: string): ServeOptions | 'help' {
  const o: ServeOptions = { host: '127.0.0.1', port: DEFAULT_PORT, allowRemote: false, token: env.XENDECK_TOKEN || undefined, seed: 1, labDir: env.XENDECK_LAB || '.lab', socketPath: defaultSocketPath(env), rendererDir };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new ServeUsageError(`${flag} needs a value`);
      return v;
    };
    const int = (min: number, max: number): number => {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < min || n > max) throw new ServeUsageError(`${flag} ${v}: expected an integer ${min}-${max}`);
      return n;
    };
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--host':
        o.host = value();
        break;
      case '--port':
        o.port = int(0, 65535);
        break;
      case '--allow-remote':
        o.allowRemote = true;
        break;
      case '--token':
        o.token = value();
        break;
      case '--socket':
        o.socketPath = value();
        break;
      case '--no-socket':
        o.socketPath = null;
        break;
      case '--lab':
        o.labDir = value();
        break;
      case '--seed':
        o.seed = int(0, 2 ** 31 - 1);
        break;
      default:
        throw new ServeUsageError(`unknown option ${a}`);
    }
  }
  if (!isLoopback(o.host) && !o.allowRemote) {
    throw new ServeUsageError(`refusing to bind ${o.host}: it is not a loopback address; add --allow-remote if you mean it (the token is still required)`);
  }
  if (o.token !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(o.token)) {
    throw new ServeUsageError('a token is 16-128 characters of A-Z a-z 0-9 _ -');
  }
  return o;
}
