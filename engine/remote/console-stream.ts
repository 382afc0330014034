// A guest console of a real host: `xl console` run on a remote pseudo-terminal, as an
// administrator would in an ssh session. xl execs xenconsole (tools/console/client/
// main.c), which copies between the pty and the guest's console ring and detaches on
// the escape character, Ctrl-] (0x1d) by default; close() sends it so xenconsole
// releases its lock (/var/lock/xenconsole.<domid>) before the channel goes away.
import type { PtyChannel, PtySize } from './transport';

/** xenconsole's default escape character, Ctrl-]. */
export const XENCONSOLE_ESCAPE = 0x1d;

export interface ConsoleStream {
  readonly domid: number;
  /** Guest output, as bytes (the terminal decodes them). */
  onData(listener: (data: Uint8Array) => void): () => void;
  /** Called once when the console ends: detached, the guest gone, or the link lost. */
  onClose(listener: (reason: string) => void): () => void;
  /** Keystrokes to the guest. */
  write(data: string | Uint8Array): void;
  resize(size: PtySize): void;
  close(): void;
}

export class RemoteConsole implements ConsoleStream {
  private closed = false;
  private readonly closeListeners = new Set<(reason: string) => void>();

  constructor(
    readonly domid: number,
    private readonly pty: PtyChannel,
  ) {
    pty.onClose((code) => this.ended(code === 0 || code === null ? 'console closed' : `xl console exited with status ${code}`));
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    return this.pty.onData(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  write(data: string | Uint8Array): void {
    if (!this.closed) this.pty.write(data);
  }

  resize(size: PtySize): void {
    if (!this.closed) this.pty.resize(size);
  }

  close(): void {
    if (this.closed) return;
    this.pty.write(Uint8Array.of(XENCONSOLE_ESCAPE));
    this.pty.close();
    this.ended('detached');
  }

  private ended(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of [...this.closeListeners]) l(reason);
  }
}
