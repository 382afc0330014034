/**
 * `xenstored [--socket PATH] [--state DIR]`: XenDeck's xenstore daemon in the foreground
 * (issue 6). With --state the store survives restarts and kill -9 (persist.ts: snapshot
 * + journal, fsync policy there). The process is a supervisor holding the sockets; the
 * daemon runs in a worker it can replace live (supervisor.ts).
 * The socket defaults as Xen's clients look for it (tools/include/xen-tools/
 * xenstore-common.h): $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket, else
 * /var/run/xenstored/socket. Prints one line once listening; SIGTERM / SIGINT close the
 * socket and exit 0.
 */
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Supervisor } from '../xenstore/supervisor';
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
  --verbose       log closed connections, live updates and CONTROL print to stderr

Runs in the foreground until SIGTERM or SIGINT. SIGHUP (or CONTROL live-update, as sent
by xenstore-control live-update) replaces the daemon process without dropping clients.
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
  const log = opts.verbose ? (l: string): void => void io.stderr.write(`${l}\n`) : undefined;
  let sup: Supervisor;
  try {
    sup = await Supervisor.start({
      socket: opts.socket,
      fsync: opts.fsync,
      ...(opts.state === undefined ? {} : { stateDir: opts.state }),
      ...(log === undefined ? {} : { log }),
    });
  } catch (e) {
    io.stderr.write(`xenstored: cannot start on ${opts.socket}: ${(e as Error).message}\n`);
    return 1;
  }
  const loaded = opts.state !== undefined ? ` (state ${opts.state}: ${sup.nodes} nodes)` : '';
  io.stdout.write(`xenstored: listening on ${opts.socket}${loaded}\n`);
  const onHup = (): void => {
    sup.liveUpdate().catch((e: Error) => io.stderr.write(`xenstored: live update failed: ${e.message}\n`));
  };
  process.on('SIGHUP', onHup);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  process.off('SIGHUP', onHup);
  await sup.stop();
  return 0;
}
