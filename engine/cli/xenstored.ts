/**
 * `xenstored [--socket PATH] [--state DIR]`: XenDeck's xenstore daemon in the foreground
 * (issue 6). With --state the store survives restarts and kill -9 (persist.ts: snapshot
 * + journal, fsync policy there).
 * The socket defaults as Xen's clients look for it (tools/include/xen-tools/
 * xenstore-common.h): $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket. Prints one line once listening; SIGTERM / SIGINT close the
 * socket and exit 0.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { XenstoreDaemon } from '../xenstore/daemon';
import { XenstoreServer } from '../xenstore/server';
import { Persistence } from '../xenstore/persist';
import type { FsyncPolicy } from '../xenstore/persist';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: xenstored [--socket PATH] [--state DIR] [--fsync always|batch|never] [--verbose]
  --socket PATH   unix socket to listen on (default $XENSTORED_PATH,
                  else $XENSTORED_RUNDIR/socket, else /var/run/xenstored/socket)
  --state DIR     keep the store in DIR (snapshot + journal) across restarts
  --fsync POLICY  journal fdatasync: always (before each reply), batch (within
                  50 ms; the default), never. Every write reaches the journal
                  before its reply in all three, so kill -9 loses nothing.
  --verbose       log closed connections and CONTROL print to stderr
`;

interface Options {
  socket: string;
  state: string | undefined;
  fsync: FsyncPolicy;
  verbose: boolean;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Options | string {
  let socket: string | undefined;
  let state: string | undefined;
  let fsync: FsyncPolicy = 'batch';
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--socket' || a === '-s') {
      const v = argv[++i];
      if (v === undefined) return `${a} needs a path`;
      socket = v;
    } else if (a.startsWith('--socket=')) {
      socket = a.slice('--socket='.length);
    } else if (a === '--state') {
      const v = argv[++i];
      if (v === undefined) return `${a} needs a directory`;
      state = v;
    } else if (a === '--fsync') {
      const v = argv[++i];
      if (v !== 'always' && v !== 'batch' && v !== 'never') return `--fsync takes always, batch or never`;
      fsync = v;
    } else if (a === '--verbose' || a === '-v') {
      verbose = true;
    } else {
      return `unknown option ${a}`;
    }
  }
  socket ??= env.XENSTORED_PATH ?? join(env.XENSTORED_RUNDIR ?? '/var/run/xenstored', 'socket');
  return { socket, state, fsync, verbose };
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
  let persistence: Persistence | undefined;
  if (opts.state !== undefined) {
    try {
      persistence = new Persistence(daemon, opts.state, { fsync: opts.fsync });
    } catch (e) {
      io.stderr.write(`xenstored: cannot load state from ${opts.state}: ${(e as Error).message}\n`);
      return 1;
    }
  }
  let server: XenstoreServer;
  try {
    server = await XenstoreServer.listen(daemon, opts.socket);
  } catch (e) {
    io.stderr.write(`xenstored: cannot listen on ${opts.socket}: ${(e as Error).message}\n`);
    persistence?.close();
    return 1;
  }
  const loaded = persistence ? ` (state ${opts.state}: ${daemon.store.size} nodes)` : '';
  io.stdout.write(`xenstored: listening on ${opts.socket}${loaded}\n`);
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
  persistence?.close();
  return 0;
}
