// The seam between the connector and SSH: running a command to completion, opening a
// command on a pseudo-terminal (xl console), and following a long-running command's
// output line by line (xenstore-watch). SshTransport implements it with ssh2; tests
// can implement it with a script.

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** null when the command was killed by a signal. */
  exitCode: number | null;
  signal: string | undefined;
}

export interface ExecOptions {
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
  /** Give up (and close the channel) after this long. */
  timeoutMs?: number;
}

export interface PtySize {
  cols: number;
  rows: number;
}

/** A command running on a remote pseudo-terminal. */
export interface PtyChannel {
  write(data: string | Uint8Array): void;
  resize(size: PtySize): void;
  onData(listener: (data: Uint8Array) => void): () => void;
  /** Called once when the command exits or the channel closes. */
  onClose(listener: (exitCode: number | null) => void): () => void;
  close(): void;
}

/** A long-running command whose standard output is read as lines. */
export interface LineStream {
  onLine(listener: (line: string) => void): () => void;
  onClose(listener: (exitCode: number | null, stderr: string) => void): () => void;
  close(): void;
}

export interface RemoteTransport {
  /** "user@host:port", for messages. */
  readonly target: string;
  readonly isConnected: boolean;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  openPty(command: string, size: PtySize): Promise<PtyChannel>;
  openLineStream(command: string): Promise<LineStream>;
  /** Called once when the connection ends, whoever ended it. */
  onDisconnect(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
}

/**
 * The transport closed under a request. `sent` tells whether the request had gone out
 * (the command may have run) or the connection was already down (it certainly did not).
 */
export class TransportClosedError extends Error {
  override name = 'TransportClosedError';
  constructor(readonly sent: boolean, readonly reason: string) {
    super(`connection closed${sent ? ' during the request' : ''}: ${reason}`);
  }
}

/** Quotes one word for a POSIX shell (dom0's sh runs every command line). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** A command line from words, each quoted. */
export function commandLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}
