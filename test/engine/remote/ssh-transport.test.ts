import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthRefusedError, BadArgumentError, HostKeyChangedError, HostKeyNotTrustedError, HostUnreachableError } from '../../../engine/remote/errors';
import { fingerprintSha256 } from '../../../engine/remote/known-hosts';
import { SshTransport, type SshTarget } from '../../../engine/remote/ssh-transport';
import { freePortForTest } from './free-port';
import { startFakeDom0, type FakeDom0 } from './fake-dom0';
import { ed25519Pair } from './keys';

let dom0: FakeDom0 | undefined;
afterEach(async () => {
  await dom0?.close();
  dom0 = undefined;
});

function target(d: FakeDom0, knownHostsPath: string, over: Partial<SshTarget> = {}): SshTarget {
  return { host: '127.0.0.1', port: d.port, username: 'root', privateKey: d.clientKey, knownHostsPath, readyTimeoutMs: 5000, ...over };
}

function emptyKnownHosts(): string {
  const p = join(mkdtempSync(join(tmpdir(), 'ssh-')), 'known_hosts');
  writeFileSync(p, '');
  return p;
}

describe('SshTransport against an SSH server', () => {
  it('asks about an unknown host key with its SHA256 fingerprint, pins it when accepted, and trusts it next time', async () => {
    dom0 = await startFakeDom0(() => ({ stdout: 'ok\n' }));
    const kh = emptyKnownHosts();
    const asked: string[] = [];
    const t1 = await SshTransport.connect(target(dom0, kh, { onUnknownHostKey: (k) => { asked.push(`${k.keyType} ${k.fingerprint}`); return true; } }));
    await t1.close();
    expect(asked).toEqual([`ssh-ed25519 ${fingerprintSha256(dom0.hostKeyBlob)}`]);
    expect(readFileSync(kh, 'utf8')).toBe(`[127.0.0.1]:${dom0.port} ssh-ed25519 ${dom0.hostKeyBlob.toString('base64')}\n`);
    const t2 = await SshTransport.connect(target(dom0, kh, { onUnknownHostKey: () => { throw new Error('must not ask again'); } }));
    expect((await t2.exec('true')).stdout).toBe('ok\n');
    await t2.close();
  });

  it('refuses an unknown key without a caller to accept it, and pins nothing', async () => {
    dom0 = await startFakeDom0(() => ({}));
    const kh = emptyKnownHosts();
    const err = await SshTransport.connect(target(dom0, kh)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyNotTrustedError);
    expect((err as Error).message).toContain(fingerprintSha256(dom0.hostKeyBlob));
    expect(readFileSync(kh, 'utf8')).toBe('');
  });

  it('refuses a changed host key and says which key it saw and which is pinned', async () => {
    dom0 = await startFakeDom0(() => ({}));
    const kh = emptyKnownHosts();
    const old = ed25519Pair().parsedPublic;
    writeFileSync(kh, `[127.0.0.1]:${dom0.port} ssh-ed25519 ${old.getPublicSSH().toString('base64')}\n`);
    const err = await SshTransport.connect(target(dom0, kh, { onUnknownHostKey: () => true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyChangedError);
    expect(err).toMatchObject({ code: 'host-key-changed', presented: fingerprintSha256(dom0.hostKeyBlob), pinned: [fingerprintSha256(old.getPublicSSH())] });
    expect((err as Error).message).toMatch(/has changed.*refusing to connect/);
    // the file is left as it was: a changed key is never re-pinned silently
    expect(readFileSync(kh, 'utf8')).toContain(old.getPublicSSH().toString('base64'));
  });

  it('reports a refused login as AuthRefusedError', async () => {
    dom0 = await startFakeDom0(() => ({}));
    const stranger = ed25519Pair().private;
    const err = await SshTransport.connect(target(dom0, emptyKnownHosts(), { privateKey: stranger, onUnknownHostKey: () => true })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthRefusedError);
    expect((err as Error).message).toMatch(/root@\[127\.0\.0\.1\]:\d+ refused authentication \(tried: publickey\)/);
  });

  it('reports a closed port as HostUnreachableError', async () => {
    const port = await freePortForTest();
    const err = await SshTransport.connect({ host: '127.0.0.1', port, username: 'root', privateKey: ed25519Pair().private, knownHostsPath: emptyKnownHosts() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('refuses to start without a key or an agent, and with a bad port', async () => {
    const kh = emptyKnownHosts();
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      await expect(SshTransport.connect({ host: 'h', username: 'root', knownHostsPath: kh })).rejects.toBeInstanceOf(BadArgumentError);
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
    await expect(SshTransport.connect({ host: 'h', port: 70000, username: 'root', privateKey: 'x', knownHostsPath: kh })).rejects.toThrow(/bad SSH port/);
  });

  it('runs commands with stdin, and returns stdout, stderr and the exit status', async () => {
    dom0 = await startFakeDom0((cmd, stdin) => (cmd === 'cat' ? { stdout: stdin } : { stderr: 'nosuch is an invalid domain identifier (rc=-6)\n', code: 1 }));
    const t = await SshTransport.connect(target(dom0, emptyKnownHosts(), { onUnknownHostKey: () => true }));
    expect(await t.exec('cat', { stdin: 'name = "g"\n' })).toEqual({ stdout: 'name = "g"\n', stderr: '', exitCode: 0, signal: undefined });
    expect(await t.exec('xl destroy nosuch')).toEqual({ stdout: '', stderr: 'nosuch is an invalid domain identifier (rc=-6)\n', exitCode: 1, signal: undefined });
    await t.close();
    expect(t.isConnected).toBe(false);
  });

  it('reports a link dropped under a command as sent, and later requests as not sent', async () => {
    dom0 = await startFakeDom0(() => ({ drop: true }));
    const t = await SshTransport.connect(target(dom0, emptyKnownHosts(), { onUnknownHostKey: () => true }));
    const e1 = await t.exec('xl destroy 3').catch((e: unknown) => e);
    expect(e1).toMatchObject({ name: 'TransportClosedError', sent: true });
    const e2 = await t.exec('xl list').catch((e: unknown) => e);
    expect(e2).toMatchObject({ name: 'TransportClosedError', sent: false });
  });

  it('runs a command on a pty, both ways', async () => {
    dom0 = await startFakeDom0(() => ({}));
    const t = await SshTransport.connect(target(dom0, emptyKnownHosts(), { onUnknownHostKey: () => true }));
    const pty = await t.openPty('xl console 3', { cols: 120, rows: 40 });
    let seen = '';
    pty.onData((d) => { seen += Buffer.from(d).toString(); });
    const closed = new Promise<number | null>((r) => pty.onClose(r));
    const echoed = new Promise<void>((r) => pty.onData(() => { if (seen.includes('root\r')) r(); }));
    pty.write('root\r');
    await echoed;
    pty.write(Uint8Array.of(0x1d));
    expect(await closed).toBe(0);
    expect(seen).toContain('login: root\r');
    await t.close();
  });
});
