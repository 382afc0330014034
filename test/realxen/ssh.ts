// Connecting the harness to the booted dom0. The host key fingerprint is known in
// advance (the harness made the key), so the trust-on-first-use prompt is answered by
// comparing it, exactly as an administrator is meant to.
import { join } from 'node:path';
import { SshTransport, type SshTarget } from '../../engine/remote/ssh-transport';
import type { RealXenEnv } from './env';

export function sshTarget(env: RealXenEnv, knownHostsName = 'known_hosts'): SshTarget {
  return {
    host: env.host,
    port: env.port,
    username: env.user,
    privateKeyPath: env.privateKeyPath,
    knownHostsPath: join(env.scratch, knownHostsName),
    onUnknownHostKey: (k) => k.fingerprint === env.hostFingerprint,
    // TCG is slow: the key exchange alone takes a moment.
    readyTimeoutMs: 60_000,
  };
}

export function connectDom0(env: RealXenEnv): Promise<SshTransport> {
  return SshTransport.connect(sshTarget(env));
}
