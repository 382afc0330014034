import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF, RemoteConnection } from '../../../engine/remote/connection';
import { AuthRefusedError, ConnectionLostError, HostUnreachableError } from '../../../engine/remote/errors';
import { TransportClosedError, type ExecResult, type RemoteTransport } from '../../../engine/remote/transport';

/** A transport whose exec runs a script; `drop` makes the next exec lose the link after sending. */
class ScriptedTransport implements RemoteTransport {
  readonly target = 'root@test:22';
  connected = true;
  sent: string[] = [];
  dropNext: 'after-send' | 'before-send' | undefined;
  /** sshd refuses this many sessions ("open failed", MaxSessions) with the link still up. */
  refuseSessions = 0;
  private readonly listeners = new Set<(r: string) => void>();
  get isConnected(): boolean { return this.connected; }
  exec(command: string): Promise<ExecResult> {
    if (!this.connected || this.dropNext === 'before-send') {
      this.dropNext = undefined;
      this.drop();
      return Promise.reject(new TransportClosedError(false, 'down'));
    }
    if (this.refuseSessions > 0) {
      this.refuseSessions--;
      return Promise.reject(new TransportClosedError(false, 'the session was refused: (SSH) Channel open failure: open failed'));
    }
    this.sent.push(command);
    if (this.dropNext === 'after-send') {
      this.dropNext = undefined;
      this.drop();
      return Promise.reject(new TransportClosedError(true, 'reset'));
    }
    return Promise.resolve({ stdout: `ran ${command}\n`, stderr: '', exitCode: 0, signal: undefined });
  }
  openPty(): never { throw new Error('unused'); }
  openLineStream(): never { throw new Error('unused'); }
  onDisconnect(l: (r: string) => void): () => void { this.listeners.add(l); return () => this.listeners.delete(l); }
  close(): Promise<void> { this.drop(); return Promise.resolve(); }
  drop(): void {
    if (!this.connected) return;
    this.connected = false;
    for (const l of this.listeners) l('dropped');
  }
}

function setup(opts: { failConnects?: number; connectError?: () => Error } = {}) {
  const transports: ScriptedTransport[] = [];
  const sleeps: number[] = [];
  const states: string[] = [];
  let failures = opts.failConnects ?? 0;
  const conn = new RemoteConnection({
    target: 'root@test:22',
    connect: () => {
      if (transports.length > 0 && failures > 0) {
        failures--;
        return Promise.reject(opts.connectError?.() ?? new HostUnreachableError('test:22', 'ECONNREFUSED'));
      }
      const t = new ScriptedTransport();
      transports.push(t);
      return Promise.resolve(t);
    },
    sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); },
    onState: (s) => states.push(s),
  });
  return { conn, transports, sleeps, states };
}

describe('RemoteConnection: reconnect and never repeat a change', () => {
  it('back-off doubles from 500 ms up to 15 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(DEFAULT_BACKOFF, n))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
  });

  it('sends a query again on a new connection when the link drops under it', async () => {
    const { conn, transports } = setup();
    await conn.open();
    (transports[0] as ScriptedTransport).dropNext = 'after-send';
    const r = await conn.run('xl list', { idempotent: true });
    expect(r.stdout).toBe('ran xl list\n');
    expect(transports).toHaveLength(2);
    expect(transports[0]?.sent).toEqual(['xl list']);
    expect(transports[1]?.sent).toEqual(['xl list']);
  });

  it('does not send an operation twice when the link drops after it went out', async () => {
    const { conn, transports } = setup();
    await conn.open();
    (transports[0] as ScriptedTransport).dropNext = 'after-send';
    const err = await conn.run('xl destroy 3', { idempotent: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as ConnectionLostError).mayHaveHappened).toBe(true);
    expect((err as Error).message).toMatch(/may or may not have happened/);
    expect(transports.flatMap((t) => t.sent)).toEqual(['xl destroy 3']);
    // the next request reconnects
    await conn.run('xl list', { idempotent: true });
    expect(transports).toHaveLength(2);
  });

  it('sends an operation on a new connection when the old one was down before sending', async () => {
    const { conn, transports, sleeps } = setup();
    await conn.open();
    (transports[0] as ScriptedTransport).drop();
    await conn.run('xl pause 3', { idempotent: false });
    expect(transports.flatMap((t) => t.sent)).toEqual(['xl pause 3']);
    expect(sleeps).toEqual([500]);
  });

  it('sends an operation again on the same link when sshd refused its session: it never ran', async () => {
    const { conn, transports, sleeps } = setup();
    await conn.open();
    (transports[0] as ScriptedTransport).refuseSessions = 2;
    await conn.run('xl pause 3', { idempotent: false });
    expect(transports).toHaveLength(1);
    expect(transports[0]?.sent).toEqual(['xl pause 3']);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('reconnects with growing delays while the host is unreachable', async () => {
    const { conn, transports, sleeps, states } = setup({ failConnects: 3 });
    await conn.open();
    (transports[0] as ScriptedTransport).drop();
    await conn.run('xl info', { idempotent: true });
    expect(sleeps).toEqual([500, 1000, 2000, 4000]);
    expect(transports).toHaveLength(2);
    expect(states).toEqual(['connecting', 'connected', 'disconnected', 'reconnecting', 'connected']);
  });

  it('gives up after the configured attempts with the last reason', async () => {
    const { conn, transports } = setup({ failConnects: 99 });
    await conn.open();
    (transports[0] as ScriptedTransport).drop();
    await expect(conn.run('xl info', { idempotent: true })).rejects.toBeInstanceOf(HostUnreachableError);
  });

  it('does not retry a refused login: waiting does not fix it', async () => {
    const { conn, transports, sleeps } = setup({ failConnects: 1, connectError: () => new AuthRefusedError('test:22', 'root', 'publickey') });
    await conn.open();
    (transports[0] as ScriptedTransport).drop();
    await expect(conn.run('xl info', { idempotent: true })).rejects.toBeInstanceOf(AuthRefusedError);
    expect(sleeps).toEqual([500]);
  });

  it('refuses requests after close', async () => {
    const { conn } = setup();
    await conn.open();
    await conn.close();
    await expect(conn.run('xl info', { idempotent: true })).rejects.toThrow(/was closed/);
  });
});
