// The SSH transport against the real dom0: trust on first use pins the key, the next
// connection trusts it without asking, a different pinned key is refused, and commands
// report their exit status and stderr.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RemoteConnection } from '../../engine/remote/connection';
import { ConnectionLostError, HostKeyChangedError, HostKeyNotTrustedError } from '../../engine/remote/errors';
import { SshTransport } from '../../engine/remote/ssh-transport';
import { ed25519Pair } from '../engine/remote/keys';
import { fromEnv } from './env';
import { sshTarget } from './ssh';

const env = fromEnv();

describe('SSH transport against a real Xen 4.17 dom0', () => {
  it('shows the host key fingerprint on first contact, pins it, then trusts it silently', async () => {
    const knownHosts = 'known_hosts.tofu';
    writeFileSync(join(env.scratch, knownHosts), '');
    const seen: string[] = [];
    const first = await SshTransport.connect({
      ...sshTarget(env, knownHosts),
      onUnknownHostKey: (k) => {
        seen.push(k.fingerprint);
        return k.fingerprint === env.hostFingerprint;
      },
    });
    await first.close();
    expect(seen).toEqual([env.hostFingerprint]);
    expect(readFileSync(join(env.scratch, knownHosts), 'utf8')).toContain(`[${env.host}]:${env.port} ssh-ed25519 `);
    const asked: string[] = [];
    const second = await SshTransport.connect({ ...sshTarget(env, knownHosts), onUnknownHostKey: (k) => { asked.push(k.fingerprint); return false; } });
    const r = await second.exec('xl info xen_version');
    await second.close();
    expect(asked).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^4\.17\.\d+$/);
  });

  it('refuses an unknown key the caller does not accept', async () => {
    writeFileSync(join(env.scratch, 'known_hosts.refuse'), '');
    await expect(SshTransport.connect({ ...sshTarget(env, 'known_hosts.refuse'), onUnknownHostKey: () => false })).rejects.toBeInstanceOf(HostKeyNotTrustedError);
  });

  it('refuses a host whose key differs from the pinned one, and says so', async () => {
    // another ed25519 key pinned for this host:port, as after a reinstall or an attack
    const other = ed25519Pair();
    writeFileSync(join(env.scratch, 'known_hosts.changed'), `[${env.host}]:${env.port} ssh-ed25519 ${other.blob.toString('base64')}\n`);
    const err = await SshTransport.connect(sshTarget(env, 'known_hosts.changed')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyChangedError);
    expect((err as HostKeyChangedError).presented).toBe(env.hostFingerprint);
    expect((err as Error).message).toMatch(/has changed.*refusing to connect/);
  });

  it('reports the exit status and stderr of a failing command', async () => {
    const t = await SshTransport.connect(sshTarget(env));
    const r = await t.exec('xl destroy nosuch');
    await t.close();
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('nosuch is an invalid domain identifier');
  });

  it('after sshd drops the link under a command, does not resend it, and reconnects for the next', async () => {
    const conn = new RemoteConnection({ target: `${env.user}@${env.host}:${env.port}`, connect: () => SshTransport.connect(sshTarget(env)) });
    await conn.open();
    // The command kills the sshd process serving this connection: the link drops with
    // the command already running, as when a network fails mid-operation.
    const marker = `/tmp/xendeck-sent-${process.pid}`;
    const err = await conn.run(`echo x >> ${marker}; kill -9 $PPID`, { idempotent: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as ConnectionLostError).mayHaveHappened).toBe(true);
    const r = await conn.run(`cat ${marker}; rm -f ${marker}`, { idempotent: true });
    expect(r.stdout).toBe('x\n');
    await conn.close();
  });
});
