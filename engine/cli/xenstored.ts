/**
 * `xenstored [--socket PATH]`: XenDeck's xenstore daemon in the foreground (issue 6).
 * The socket defaults as Xen's clients look for it (tools/include/xen-tools/
 * xenstore-common.h): $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket. Prints one line once listening; SIGTERM / SIGINT close the
 * socket and exit 0.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { XenstoreDaemon } from '../xenstore/daemon';
import { XenstoreServer } from '../xenstore/server';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: xenstored [--socket PATH] [--verbose]
  --socket PATH   unix socket to listen on (default $XENSTORED_PATH,
                  else $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket)
  --verbose       log closed connections and CONTROL print to stderr
`;

interface Options {
  socket: string;
  verbose: boolean;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | string {
  let socket: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--socket' || a === '-s') {
      const v = argv[++i];
      if (v === undefined) return `${a} needs a path`;
      socket = v;
    } else if (a.startsWith('--socket=')) {
      socket = a.slice('--socket='.length);
    } else if (a === '--verbose' || a === '-v') {
      verbose = true;
    } else {
      return `unknown option ${a}`;
    }
  }
  socket ??= env.XENSTORED_PATH ?? join(env.XENSTORED_RUNDIR ?? '/var/run/xenstored', 'socket');
  return { socket, verbose };
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  const opts = parseArgs(argv, io.env);
  if (typeof opts === 'string') {
    io.stderr.write(`xenstored: ${opts}\n${USAGE}`);
    return 2;
  }
  const daemon = new XenstoreDaemon({ log: opts.verbose ? (l) => io.stderr.write(`${l}\n`) : undefined });
  let server: XenstoreServer;
  try {
    server = await XenstoreServer.listen(daemon, opts.socket);
  } catch (e) {
    io.stderr.write(`xenstored: cannot listen on ${opts.socket}: ${(e as Error).message}\n`);
    return 1;
  }
  io.stdout.write(`xenstored: listening on ${opts.socket}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  daemon.closeAll();
  await server.close();
  return 0;
}
