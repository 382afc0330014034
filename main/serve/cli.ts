/**
 * `npm run serve` (scripts/serve.mjs builds the renderer if needed, then runs this).
 * Prints the URL with its token and serves until SIGINT / SIGTERM.
 */
import { startConsoleServer } from './console-server';
import { parseServeArgs, SERVE_USAGE, ServeUsageError } from './serve-options';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
}

export async function main(argv: string[], io: CliIo, rendererDir: string, appVersion: string): Promise<number> {
  let opts;
  try {
    opts = parseServeArgs(argv, io.env, rendererDir);
  } catch (e) {
    if (!(e instanceof ServeUsageError)) throw e;
    io.stderr.write(`xendeck serve: ${e.message}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (opts === 'help') {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  let server;
  try {
    server = await startConsoleServer(opts, appVersion);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? `port ${opts.port} is in use (try --port 0 for a free one)` : code === 'EADDRNOTAVAIL' ? `${opts.host} is not an address of this machine` : String(e);
    io.stderr.write(`xendeck serve: cannot listen on ${opts.host}:${opts.port}: ${why}\n`);
    return 1;
  }
  io.stdout.write(`XenDeck console (lab in ${opts.labDir})\n    ${server.url}\n`);
  if (server.socketPath) io.stdout.write(`api socket for command-line clients: ${server.socketPath}\n`);
  if (opts.allowRemote) io.stdout.write(`warning: bound to ${opts.host} with --allow-remote; anyone with the token can manage the lab\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await server.close();
  return 0;
}
