// Typed errors of the real-host connector. Each says what an administrator can act on:
// which host, which command, what the remote side said. `code` is stable for the GUI
// and the CLI to switch on; `hint` is a suggested next step.
import type { XlFailure } from './parse/xl-stderr';

export type RemoteErrorCode =
  | 'host-unreachable'
  | 'auth-refused'
  | 'host-key-changed'
  | 'host-key-not-trusted'
  | 'tool-missing'
  | 'command-failed'
  | 'connection-lost'
  | 'parse-error'
  | 'not-supported'
  | 'bad-argument';

export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    readonly code: RemoteErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** TCP connect refused, timed out, name not resolved, or the SSH handshake never completed. */
export class HostUnreachableError extends RemoteError {
  override name = 'HostUnreachableError';
  constructor(readonly target: string, readonly reason: string) {
    super('host-unreachable', `cannot reach ${target}: ${reason}`, 'check the address, the port and that sshd runs on the host');
  }
}

/** The server refused every authentication method offered (key or agent). */
export class AuthRefusedError extends RemoteError {
  override name = 'AuthRefusedError';
  constructor(readonly target: string, readonly user: string, readonly methods: string) {
    super('auth-refused', `${user}@${target} refused authentication (tried: ${methods})`, `add the public key to ~${user}/.ssh/authorized_keys on the host, or load it into ssh-agent`);
  }
}

/**
 * The host presented a key different from the one pinned for it. Never connect: this is
 * what a man-in-the-middle looks like (OpenSSH: "REMOTE HOST IDENTIFICATION HAS CHANGED").
 */
export class HostKeyChangedError extends RemoteError {
  override name = 'HostKeyChangedError';
  constructor(
    readonly target: string,
    readonly presented: string,
    readonly pinned: readonly string[],
    readonly knownHostsPath: string,
  ) {
    super(
      'host-key-changed',
      `host key of ${target} has changed: it presented ${presented}, but ${knownHostsPath} pins ${pinned.join(', ')}; refusing to connect`,
      `if the host was really reinstalled, verify the new fingerprint out of band and remove the old entry from ${knownHostsPath}`,
    );
  }
}

/** First contact with a host whose key the user (or the caller's policy) did not accept. */
export class HostKeyNotTrustedError extends RemoteError {
  override name = 'HostKeyNotTrustedError';
  constructor(readonly target: string, readonly fingerprint: string) {
    super('host-key-not-trusted', `host key of ${target} (${fingerprint}) is not trusted; not connecting`, 'compare the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on the host, then accept it');
  }
}

/** A Xen tool (xl, xenstore-*, xen-livepatch) is not installed or not on dom0's PATH. */
export class ToolMissingError extends RemoteError {
  override name = 'ToolMissingError';
  constructor(readonly target: string, readonly tool: string, hint?: string) {
    super('tool-missing', `${tool} is not available on ${target}`, hint ?? (tool === 'xl' ? 'is this a Xen dom0? install the Xen tools (Debian: xen-utils)' : `install ${tool} on the host`));
  }
}

/** A remote command ran and exited non-zero (or was killed by a signal). */
export class CommandFailedError extends RemoteError {
  override name = 'CommandFailedError';
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly signal?: string,
  ) {
    const why = exitCode !== null ? `exit ${exitCode}` : `signal ${signal ?? 'unknown'}`;
    const said = stderr.trim();
    super('command-failed', `\`${command}\` failed (${why})${said !== '' ? `: ${said}` : ''}`);
  }
}

/**
 * The connection dropped while an operation that changes the host was in flight. It may
 * or may not have taken effect; it is not repeated automatically.
 */
export class ConnectionLostError extends RemoteError {
  override name = 'ConnectionLostError';
  constructor(readonly target: string, readonly operation: string, readonly mayHaveHappened: boolean) {
    super(
      'connection-lost',
      mayHaveHappened
        ? `connection to ${target} lost during \`${operation}\`; it may or may not have happened`
        : `connection to ${target} lost before \`${operation}\` was sent`,
      mayHaveHappened ? 'refresh the domain list to see the host state before trying again' : undefined,
    );
  }
}

/** A tool printed something the parser does not recognise (another Xen version?). */
export class ParseError extends RemoteError {
  override name = 'ParseError';
  constructor(readonly what: string, readonly detail: string) {
    super('parse-error', `cannot read the output of ${what}: ${detail}`);
  }
}

/** The host cannot do this (a scheduler not in use, livepatch not built in, ...). */
export class NotSupportedError extends RemoteError {
  override name = 'NotSupportedError';
  constructor(message: string, hint?: string) {
    super('not-supported', message, hint);
  }
}

/** A caller passed something unusable (a domain name with a newline, an empty config). */
export class BadArgumentError extends RemoteError {
  override name = 'BadArgumentError';
  constructor(message: string) {
    super('bad-argument', message);
  }
}

/**
 * An xl command failed; `failure` says how (no such domain, config syntax, ...) as
 * recognised from xl's stderr, and the message leads with the line that says why.
 */
export class XlCommandError extends CommandFailedError {
  override name = 'XlCommandError';
  constructor(
    command: string,
    exitCode: number | null,
    stderr: string,
    readonly failure: XlFailure,
    signal?: string,
  ) {
    super(command, exitCode, stderr, signal);
    const why = exitCode !== null ? `exit ${exitCode}` : `signal ${signal ?? 'unknown'}`;
    this.message = `\`${command}\` failed (${why})${failure.summary !== '' ? `: ${failure.summary}` : ''}`;
  }
}
