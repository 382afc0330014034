// An SSH server in the test process that plays dom0: it accepts one client key, runs
// "commands" through a handler (so tests can answer with the real outputs captured
// from Xen 4.17), serves ptys that behave like `xl console` (echo, Ctrl-] detaches),
// and can drop every connection to test reconnects. A test double for the network
// peer only; the connector under test is the real code.
import { utils, Server, type Connection, type ServerChannel } from 'ssh2';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteXenHost } from '../../../engine/remote/remote-host';
import { ed25519Pair } from './keys';

export interface CommandReply {
  stdout?: string;
  stderr?: string;
  code?: number;
  /** Drop the connection instead of answering (after the command "ran"). */
  drop?: boolean;
}

export type CommandHandler = (command: string, stdin: string) => CommandReply | Promise<CommandReply>;

export interface FakeDom0 {
  port: number;
  hostKeyBlob: Buffer;
  clientKey: string;
  /** Every exec request received, in order. */
  commands: string[];
  dropAll(): void;
  close(): Promise<void>;
}

export function startFakeDom0(handler: CommandHandler, opts: { hostKey?: string } = {}): Promise<FakeDom0> {
  const host = opts.hostKey !== undefined ? { private: opts.hostKey } : ed25519Pair();
  const hostParsed = utils.parseKey(host.private);
  if (hostParsed instanceof Error) throw hostParsed;
  const client = ed25519Pair();
  const allowed = client.parsedPublic;
  const allowedBlob = client.blob;
  const commands: string[] = [];
  const conns = new Set<Connection>();

  const server = new Server({ hostKeys: [host.private] }, (conn) => {
    conns.add(conn);
    conn.on('close', () => conns.delete(conn));
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || !ctx.key.data.equals(allowedBlob)) {
        ctx.reject(['publickey']);
        return;
      }
      if (ctx.signature === undefined || ctx.blob === undefined) {
        ctx.accept();
        return;
      }
      if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) ctx.accept();
      else ctx.reject(['publickey']);
    });
    conn.on('ready', () => {
      conn.on('session', (acceptSession) => {
        const session = acceptSession();
        let pty = false;
        session.on('pty', (accept) => {
          pty = true;
          accept?.();
        });
        session.on('window-change', (accept) => accept?.());
        session.on('exec', (accept, _reject, info) => {
          const stream = accept();
          commands.push(info.command);
          if (pty) serveConsole(stream);
          else serveCommand(stream, info.command, handler, conn);
        });
      });
    });
  });

  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      resolve({
        port,
        hostKeyBlob: hostParsed.getPublicSSH(),
        clientKey: client.private,
        commands,
        dropAll: () => {
          for (const c of conns) c.end();
        },
        close: () =>
          new Promise((done) => {
            for (const c of conns) c.end();
            server.close(() => done());
          }),
      });
    });
  });
}

function serveCommand(stream: ServerChannel, command: string, handler: CommandHandler, conn: Connection): void {
  const input: Buffer[] = [];
  stream.on('data', (d: Buffer) => input.push(d));
  stream.on('end', () => {
    void Promise.resolve(handler(command, Buffer.concat(input).toString('utf8'))).then((r) => {
      if (r.drop) {
        conn.end();
        return;
      }
      if (r.stdout) stream.write(r.stdout);
      if (r.stderr) stream.stderr.write(r.stderr);
      stream.exit(r.code ?? 0);
      stream.end();
    });
  });
}

/** Like `xl console`: a banner, then echo; Ctrl-] (0x1d) ends it with status 0. */
function serveConsole(stream: ServerChannel): void {
  stream.write('\r\nxendeck-pv login: ');
  stream.on('data', (d: Buffer) => {
    const esc = d.indexOf(0x1d);
    if (esc >= 0) {
      stream.write(d.subarray(0, esc));
      stream.exit(0);
      stream.end();
      return;
    }
    stream.write(d);
  });
}

/** The connector under test logged in to a fake dom0 (its key trusted on first use, no back-off waits). */
export function connectToFakeDom0(dom0: FakeDom0, opts: { sudo?: boolean } = {}): Promise<RemoteXenHost> {
  return RemoteXenHost.connect({
    ssh: {
      host: '127.0.0.1',
      port: dom0.port,
      username: 'root',
      privateKey: dom0.clientKey,
      knownHostsPath: join(mkdtempSync(join(tmpdir(), 'dom0-')), 'known_hosts'),
      onUnknownHostKey: () => true,
    },
    sudo: opts.sudo ?? false,
    sleep: () => Promise.resolve(),
  });
}

/**
 * A dom0's answer to the connector's tool probe (`command -v ...`): every tool there,
 * xen-cpuid at `xenCpuid` (empty: not installed).
 */
export function toolsProbe(xenCpuid = ''): string {
  return `xl yes\nxenstore-read yes\nxenstore-ls yes\nxenstore-watch yes\nxen-livepatch yes\nxen-cpuid ${xenCpuid}\n`;
}
