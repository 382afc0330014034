/**
 * Domain 0's console on an embedded host: Xen's own console (xen/drivers/char/console.c).
 * Dom0's hvc0 is the hypervisor console (its kernel writes through
 * HYPERVISOR_console_io), so what an administrator sees on the serial line is the
 * conring — Xen's "(XEN) " lines and dom0's — and it goes on live. `xl console 0` and
 * the GUI's Domain-0 tab attach here: first what the ring still holds, then each new
 * write. Input would go to Xen's serial input handler (keys, or CTRL-a three times to
 * switch to a guest); the simulated host has no dom0 shell, so keystrokes are dropped.
 */
import type { ConsoleRing } from '../hypervisor/conring';
import type { ConsoleStream } from './console-stream';

export class HypervisorConsole implements ConsoleStream {
  readonly domid = 0;
  private readonly dataListeners = new Set<(d: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private next: number;
  private closed = false;
  paused = false;
  private readonly stop: () => void;
  private readonly enc = new TextEncoder();

  constructor(private readonly ring: ConsoleRing) {
    this.next = ring.start;
    this.stop = ring.onWrite(() => this.pump());
  }

  onData(listener: (data: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    queueMicrotask(() => this.pump());
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  write(): void {
    // dropped: see above
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.pump();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    for (const l of this.closeListeners) l('detached');
    this.closeListeners.clear();
    this.dataListeners.clear();
  }

  private pump(): void {
    if (this.closed || this.paused || this.dataListeners.size === 0) return;
    const { text, next } = this.ring.read({ from: this.next });
    this.next = next;
    if (text === '') return;
    // a serial terminal's line ends: CR LF
    const bytes = this.enc.encode(text.replace(/\r?\n/g, '\r\n'));
    for (const l of this.dataListeners) l(bytes);
  }
}
