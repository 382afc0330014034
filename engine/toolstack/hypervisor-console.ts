/**
 * Domain 0's console on an embedded host: Xen's own console (xen/drivers/char/console.c),
 * what an administrator sees on the host's serial line: the conring — Xen's "(XEN) "
 * lines — and what dom0's hvc0 writes (./dom0-tty.ts), live. `xl console 0` and the
 * GUI's Domain-0 tab attach here: first what the ring still holds and dom0's recent
 * output, then each new write of either. Keystrokes go to dom0's tty, as Xen's serial
 * input goes to DOM0 unless switched with CTRL-a (switching to a guest's console is not
 * modelled: `xl console <domain>` attaches to it directly). Dom0's output does not go
 * into the conring (`xl dmesg`): Xen puts it there only with console_to_ring.
 */
import type { ConsoleRing } from '../hypervisor/conring';
import type { ConsoleStream } from './console-stream';
import type { Dom0Tty } from './dom0-tty';
import type { EmbeddedConsole } from './guest-console';

export class HypervisorConsole implements ConsoleStream {
  readonly domid = 0;
  private readonly dataListeners = new Set<(d: Uint8Array) => void>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private next: number;
  private closed = false;
  paused = false;
  private readonly stop: () => void;
  private readonly enc = new TextEncoder();
  /** dom0's output, read once the first pump has sent its backlog. */
  private readonly hvc: EmbeddedConsole | undefined;
  private started = false;

  constructor(
    private readonly ring: ConsoleRing,
    private readonly tty?: Dom0Tty,
  ) {
    this.next = ring.start;
    this.stop = ring.onWrite(() => this.pump());
    this.hvc = tty?.attach();
    this.hvc?.onData((d) => {
      if (!this.started) return; // in the backlog the first pump sends
      for (const l of this.dataListeners) l(d);
    });
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

  write(data: string | Uint8Array): void {
    if (!this.closed) this.tty?.input(data);
  }

  pause(): void {
    this.paused = true;
    this.hvc?.pause();
  }

  resume(): void {
    this.paused = false;
    this.pump();
    this.hvc?.resume();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stop();
    this.hvc?.close();
    for (const l of this.closeListeners) l('detached');
    this.closeListeners.clear();
    this.dataListeners.clear();
  }

  private pump(): void {
    if (this.closed || this.paused || this.dataListeners.size === 0) return;
    const { text, next } = this.ring.read({ from: this.next });
    this.next = next;
    // a serial terminal's line ends: CR LF (dom0's tty wrote its own)
    let out = text.replace(/\r?\n/g, '\r\n');
    if (!this.started) {
      this.started = true;
      out += this.tty?.backlog ?? '';
    }
    if (out === '') return;
    const bytes = this.enc.encode(out);
    for (const l of this.dataListeners) l(bytes);
  }
}
