// RemoteTransport over SSH with the ssh2 library: public key or ssh-agent
// authentication, the host key checked against a known_hosts file (trust on first use:
// an unknown key is shown to the caller, who may accept and pin it; a changed key is
// refused), keepalives so a dead link is noticed, and typed errors for the ways a
// connection fails.
import { readFileSync } from 'node:fs';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import {
  AuthRefusedError,
  BadArgumentError,
  HostKeyChangedError,
  HostKeyNotTrustedError,
  HostUnreachableError,
  RemoteError,
} from './errors';
import { ChannelSlots } from './channel-slots';
import { hostPattern, KnownHostsFile } from './known-hosts';
import {
  TransportClosedError,
  type ExecOptions,
  type ExecResult,
  type LineStream,
  type PtyChannel,
  type PtySize,
  type RemoteTransport,
} from './transport';

export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  /** "SHA256:..." as `ssh-keygen -l` prints it. */
  fingerprint: string;
}

export interface SshTarget {
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** An OpenSSH private key (text), or read from privateKeyPath. */
  privateKey?: string;
  privateKeyPath?: string;
  passphrase?: string;
  /** ssh-agent socket; defaults to $SSH_AUTH_SOCK when no key is given. */
  agent?: string;
  /** OpenSSH-format file where host keys are pinned. */
  knownHostsPath: string;
  /**
   * First contact: return true to trust (and pin) the key. Without this callback an
   * unknown host key is refused.
   */
  onUnknownHostKey?: (key: UnknownHostKey) => boolean | Promise<boolean>;
  /** TCP connect plus SSH handshake limit (default 20 s). */
  readyTimeoutMs?: number;
  /** SSH keepalive interval (default 10 s); three unanswered ones end the connection. */
  keepaliveMs?: number;
}

export class SshTransport implements RemoteTransport {
  private connected = true;
  /** At most sshd's MaxSessions channels at once (channel-slots.ts). */
  private readonly slots = new ChannelSlots();
  private readonly disconnectListeners = new Set<(reason: string) => void>();
  private disconnectReason = 'closed';

  private constructor(
    private readonly client: Client,
    readonly target: string,
  ) {
    const ended = (reason: string): void => {
      if (!this.connected) return;
      this.connected = false;
      this.disconnectReason = reason;
      for (const l of [...this.disconnectListeners]) l(reason);
    };
    client.on('error', (e: Error) => ended(e.message));
    client.on('end', () => ended('the server ended the connection'));
    client.on('close', () => ended('connection closed'));
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Connects and authenticates; rejects with one of the typed errors of errors.ts. */
  static connect(t: SshTarget): Promise<SshTransport> {
    const port = t.port ?? 22;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return Promise.reject(new BadArgumentError(`bad SSH port ${port}`));
    const target = `${t.username}@${hostPattern(t.host, port)}`;
    const knownHosts = new KnownHostsFile(t.knownHostsPath);
    let privateKey: string | undefined = t.privateKey;
    try {
      if (privateKey === undefined && t.privateKeyPath !== undefined) privateKey = readFileSync(t.privateKeyPath, 'utf8');
    } catch (e) {
      return Promise.reject(new BadArgumentError(`cannot read private key ${t.privateKeyPath}: ${(e as Error).message}`));
    }
    const agent = t.agent ?? (privateKey === undefined ? process.env.SSH_AUTH_SOCK : undefined);
    if (privateKey === undefined && agent === undefined) {
      return Promise.reject(new BadArgumentError('no SSH private key given and no ssh-agent ($SSH_AUTH_SOCK) available'));
    }
    const methods = [privateKey !== undefined ? 'publickey' : '', agent !== undefined ? 'agent' : ''].filter((m) => m !== '');

    return new Promise((resolve, reject) => {
      const client = new Client();
      let verdict: RemoteError | undefined;
      let settled = false;
      const fail = (e: RemoteError): void => {
        if (settled) return;
        settled = true;
        client.end();
        reject(e);
      };
      client.once('ready', () => {
        if (settled) return;
        settled = true;
        resolve(new SshTransport(client, target));
      });
      client.on('error', (e: Error & { level?: string; code?: string }) => {
        if (verdict !== undefined) fail(verdict);
        else if (e.level === 'client-authentication') fail(new AuthRefusedError(hostPattern(t.host, port), t.username, methods.join(', ')));
        else fail(new HostUnreachableError(hostPattern(t.host, port), e.code !== undefined ? `${e.code} ${e.message}` : e.message));
      });
      client.on('close', () => fail(verdict ?? new HostUnreachableError(hostPattern(t.host, port), 'connection closed during the SSH handshake')));

      const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
        let st;
        try {
          st = knownHosts.check(t.host, port, key);
        } catch (e) {
          verdict = e instanceof RemoteError ? e : new HostUnreachableError(hostPattern(t.host, port), (e as Error).message);
          verify(false);
          return;
        }
        switch (st.status) {
          case 'trusted':
            verify(true);
            return;
          case 'changed':
            verdict = new HostKeyChangedError(hostPattern(t.host, port), st.fingerprint, st.pinned, t.knownHostsPath);
            verify(false);
            return;
          case 'revoked':
            verdict = new HostKeyChangedError(hostPattern(t.host, port), st.fingerprint, [`${st.fingerprint} (revoked)`], t.knownHostsPath);
            verify(false);
            return;
          case 'unknown': {
            const ask = t.onUnknownHostKey;
            const info: UnknownHostKey = { host: t.host, port, keyType: st.keyType, fingerprint: st.fingerprint };
            Promise.resolve(ask !== undefined ? ask(info) : false).then(
              (ok) => {
                if (ok) {
                  knownHosts.pin(t.host, port, key);
                  verify(true);
                } else {
                  verdict = new HostKeyNotTrustedError(hostPattern(t.host, port), st.fingerprint);
                  verify(false);
                }
              },
              (e: unknown) => {
                verdict = new HostKeyNotTrustedError(hostPattern(t.host, port), `${st.fingerprint}: ${(e as Error).message}`);
                verify(false);
              },
            );
          }
        }
      };

      const cfg: ConnectConfig = {
        host: t.host,
        port,
        username: t.username,
        readyTimeout: t.readyTimeoutMs ?? 20_000,
        keepaliveInterval: t.keepaliveMs ?? 10_000,
        keepaliveCountMax: 3,
        hostVerifier,
        authHandler: methods as ('publickey' | 'agent')[],
      };
      if (privateKey !== undefined) cfg.privateKey = privateKey;
      if (t.passphrase !== undefined) cfg.passphrase = t.passphrase;
      if (agent !== undefined) cfg.agent = agent;
      try {
        client.connect(cfg);
      } catch (e) {
        // ssh2 throws synchronously for a key it cannot parse
        fail(new BadArgumentError(`cannot use the SSH private key: ${(e as Error).message}`));
      }
    });
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const release = await this.slots.acquire('command');
    return new Promise<ExecResult>((resolve, reject) => {
      if (!this.connected) {
        reject(new TransportClosedError(false, this.disconnectReason));
        return;
      }
      const started = (err: Error | undefined, stream: ClientChannel): void => {
        if (err) {
          // sshd refused the session or the exec request: the command never ran
          reject(new TransportClosedError(false, `the session was refused: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        let exit: { code: number | null; signal: string | undefined } | undefined;
        let timer: NodeJS.Timeout | undefined;
        let timedOut = false;
        stream.on('data', (d: Buffer) => out.push(d));
        stream.stderr.on('data', (d: Buffer) => errOut.push(d));
        stream.on('exit', (code: number | null, signal?: string) => {
          exit = { code: code ?? null, signal: signal ?? undefined };
        });
        stream.on('close', () => {
          if (timer !== undefined) clearTimeout(timer);
          const stdout = Buffer.concat(out).toString('utf8');
          const stderr = Buffer.concat(errOut).toString('utf8');
          if (timedOut) resolve({ stdout, stderr: `${stderr}timed out after ${opts.timeoutMs} ms`, exitCode: null, signal: 'TIMEOUT' });
          else if (exit === undefined) reject(new TransportClosedError(true, this.connected ? 'channel closed without an exit status' : this.disconnectReason));
          else resolve({ stdout, stderr, exitCode: exit.code, signal: exit.signal });
        });
        if (opts.timeoutMs !== undefined) {
          timer = setTimeout(() => {
            timedOut = true;
            stream.close();
          }, opts.timeoutMs);
        }
        stream.end(opts.stdin ?? '');
      };
      try {
        this.client.exec(command, started);
      } catch (e) {
        // ssh2 throws when the socket went away between the check above and here
        reject(new TransportClosedError(false, (e as Error).message));
      }
    }).finally(release);
  }

  openPty(command: string, size: PtySize): Promise<PtyChannel> {
    return this.open(command, { pty: { cols: size.cols, rows: size.rows, term: 'xterm-256color' } }).then((s) => ptyChannel(s));
  }

  openLineStream(command: string): Promise<LineStream> {
    return this.open(command, {}).then((s) => lineStream(s));
  }

  close(): Promise<void> {
    if (!this.connected) return Promise.resolve();
    return new Promise((resolve) => {
      this.onDisconnect(() => resolve());
      this.client.end();
    });
  }

  /** A long-lived session (pty, line stream): it holds its channel slot until it closes. */
  private async open(command: string, options: { pty?: { cols: number; rows: number; term: string } }): Promise<ClientChannel> {
    const release = await this.slots.acquire('session');
    return new Promise<ClientChannel>((resolve, reject) => {
      if (!this.connected) {
        reject(new TransportClosedError(false, this.disconnectReason));
        return;
      }
      try {
        this.client.exec(command, options, (err, stream) => {
          if (err) {
            reject(new TransportClosedError(false, `the session was refused: ${err.message}`));
            return;
          }
          stream.on('close', release);
          resolve(stream);
        });
      } catch (e) {
        reject(new TransportClosedError(false, (e as Error).message));
      }
    }).catch((e: unknown) => {
      release();
      throw e;
    });
  }
}

function ptyChannel(stream: ClientChannel): PtyChannel {
  const closeListeners = new Set<(code: number | null) => void>();
  let exitCode: number | null = null;
  let closed = false;
  stream.on('exit', (code: number | null) => {
    exitCode = code ?? null;
  });
  stream.on('close', () => {
    closed = true;
    for (const l of [...closeListeners]) l(exitCode);
  });
  stream.stderr.on('data', () => undefined); // a pty merges stderr; drain anything sent apart
  return {
    write: (data) => {
      if (!closed) stream.write(data);
    },
    resize: (size) => {
      if (!closed) stream.setWindow(size.rows, size.cols, 0, 0);
    },
    onData: (listener) => {
      const h = (d: Buffer): void => listener(new Uint8Array(d));
      stream.on('data', h);
      return () => stream.off('data', h);
    },
    onClose: (listener) => {
      if (closed) {
        listener(exitCode);
        return () => undefined;
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => {
      if (!closed) stream.close();
    },
  };
}

function lineStream(stream: ClientChannel): LineStream {
  const lineListeners = new Set<(line: string) => void>();
  const closeListeners = new Set<(code: number | null, stderr: string) => void>();
  let pending = '';
  let stderr = '';
  let exitCode: number | null = null;
  let closed = false;
  stream.on('data', (d: Buffer) => {
    pending += d.toString('utf8');
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      for (const l of [...lineListeners]) l(line);
    }
  });
  stream.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-4096);
  });
  stream.on('exit', (code: number | null) => {
    exitCode = code ?? null;
  });
  stream.on('close', () => {
    closed = true;
    for (const l of [...closeListeners]) l(exitCode, stderr);
  });
  stream.end();
  return {
    onLine: (listener) => {
      lineListeners.add(listener);
      return () => lineListeners.delete(listener);
    },
    onClose: (listener) => {
      if (closed) {
        listener(exitCode, stderr);
        return () => undefined;
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => {
      if (!closed) stream.close();
    },
  };
}
