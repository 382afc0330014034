/**
 * Domain 0's console tty on an embedded host: its Linux's hvc0 over
 * HYPERVISOR_console_io. Xen's serial input goes to dom0 by default ("*** Serial input
 * to DOM0 (type 'CTRL-a' three times to switch input)", xen/drivers/char/console.c:
 * serial_rx → VIRQ_CONSOLE, dom0 reading with CONSOLEIO_read), and what dom0 writes
 * goes out on the serial line next to Xen's own lines. Dom0 runs the same guest model
 * as the domUs (engine/guest/guest.ts) in its hardware-domain mode: getty, root's
 * login, the same shell. Its tty is joined to Xen's console here, as a ring pair
 * (the console page's shape, ../guest/console-ring.ts) standing in for console_io.
 *
 * What dom0 printed before anyone attached is kept (the last BACKLOG_CHARS), so the
 * first console shows its login prompt, as a serial terminal that was left connected.
 */
import type { Guest } from '../guest/guest';
import { EmbeddedConsole, GuestConsoleBackend } from './guest-console';

export const BACKLOG_CHARS = 16 * 1024;

export class Dom0Tty {
  private readonly backend: GuestConsoleBackend;
  private readonly recorder: EmbeddedConsole;
  private readonly dec = new TextDecoder();
  private backlog_ = '';

  constructor(readonly guest: Guest) {
    this.backend = new GuestConsoleBackend(0, guest.console);
    // getty wrote before the backend was there: the first read already has it
    this.recorder = this.backend.attach((d) => {
      this.backlog_ += this.dec.decode(d, { stream: true });
      if (this.backlog_.length > BACKLOG_CHARS) this.backlog_ = this.backlog_.slice(-BACKLOG_CHARS);
    });
  }

  /** What dom0 wrote lately (CR LF line ends, as its tty wrote them). */
  get backlog(): string {
    return this.backlog_;
  }

  /** A reader of dom0's output from now on (pausable: dom0's tty then waits). */
  attach(): EmbeddedConsole {
    return this.backend.attach();
  }

  /** Keystrokes from the serial line to dom0 (input focus is DOM0). */
  input(data: string | Uint8Array): void {
    this.backend.input(data);
  }
}
