/**
 * The guest that runs in a simulated domain: it boots in stages on the host's simulated
 * clock (./boot-log.ts), talks on its console page (./console-ring.ts) as Linux's
 * hvc_xen driver does — output waits in the tty buffer while the 2 KiB output ring is
 * full and goes out when the backend kicks back — gives root a shell at a getty login
 * prompt, and stops through SCHEDOP_shutdown when told to (a shell command, the magic
 * SysRq crash, or the toolstack's request on control/shutdown: docs/misc/xenstore-paths
 * .pandoc, ~/control/shutdown).
 *
 * Deterministic: every delay is a timer on the simulated clock; input is handled at the
 * simulated instant it arrives. While the domain is paused, the guest's timers and
 * events wait and run when it is unpaused.
 */
import { MICROSECS, type Timer } from '../hypervisor/clock';
import type { ShutdownReason } from '../hypervisor/domain';
import { bootLog, kernelStartNs, printkTime } from './boot-log';
import { ConsoleInterface } from './console-ring';
import type { GuestHardware, GuestPlatform } from './guest-platform';
import { consoleDevice, KERNEL_VERSION, kernelRelease, OS_NAME } from './kernel-release';
import { LineDiscipline } from './line-discipline';
import { crashLines, runCommand, type ShellEffect } from './shell';
import { BalloonDriver, type BalloonPlatform } from './balloon';
import { VcpuHotplug, type VcpuHotplugPlatform } from './vcpu-hotplug';

export type GuestState = 'booting' | 'login' | 'password' | 'shell' | 'busy' | 'down';

/** A flooding command refills the tty buffer below this many bytes, every FLOOD_TICK. */
const FLOOD_LOW_WATER = 16 * 1024;
const FLOOD_TICK = MICROSECS(100);
const FIRST_SHELL_PID = 231;

export class Guest {
  readonly console = new ConsoleInterface();
  private state_: GuestState = 'booting';
  private readonly ldisc = new LineDiscipline();
  private readonly enc = new TextEncoder();
  private readonly dec = new TextDecoder();
  private pending: Uint8Array[] = [];
  private pendingOffset = 0;
  private pendingBytes_ = 0;
  private flushing = false;
  private readonly timers = new Set<Timer>();
  private frozen: boolean;
  private deferred: (() => void)[] = [];
  private kickPending = false;
  private inKick = false;
  private readonly kmsg: string[] = [];
  private readonly startedAt: number;
  private readonly kernelStart: number;
  private nextPid = FIRST_SHELL_PID;
  private shellPid = 0;
  private typedAhead: string[] = [];
  private fg: { timer: Timer; kind: 'sleep' | 'flood' } | undefined;
  /** Bytes the guest has written to its console, total (for tests and benchmarks). */
  bytesOut = 0;
  /** The balloon driver (./balloon.ts), when the toolstack gives the guest its memory ops. */
  readonly balloon: BalloonDriver | undefined;
  /** vCPU hotplug (./vcpu-hotplug.ts), when the toolstack gives the guest VCPUOP_up/down. */
  readonly vcpuHotplug: VcpuHotplug | undefined;

  constructor(
    private readonly platform: GuestPlatform,
    opts: { paused?: boolean; memory?: Omit<BalloonPlatform, 'after'>; vcpus?: Omit<VcpuHotplugPlatform, 'whenRunning' | 'log'> } = {},
  ) {
    this.frozen = opts.paused ?? false;
    this.balloon = opts.memory && new BalloonDriver({ ...opts.memory, after: (d, fn) => this.after(d, fn) });
    this.vcpuHotplug =
      opts.vcpus &&
      new VcpuHotplug({
        ...opts.vcpus,
        whenRunning: (fn) => (this.isDown() ? undefined : this.frozen ? this.deferred.push(fn) : fn()),
        log: (l) => this.kernelLine(l),
      });
    this.startedAt = platform.clock.now;
    this.kernelStart = kernelStartNs(platform.hardware());
    this.console.bindGuest(() => this.onKick());
    this.boot();
  }

  get state(): GuestState {
    return this.state_;
  }

  /** Bytes waiting in the tty buffer for room in the output ring. */
  get pendingBytes(): number {
    return this.pendingBytes_;
  }

  /** Kernel messages so far (what `dmesg` prints). */
  get dmesg(): readonly string[] {
    return this.kmsg;
  }

  /** The domain was paused: nothing runs until thaw(). */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    const run = this.deferred;
    this.deferred = [];
    for (const f of run) f();
    if (this.kickPending) this.onKick();
  }

  private isDown(): boolean {
    return this.state_ === 'down';
  }

  get paused(): boolean {
    return this.frozen;
  }

  /**
   * The toolstack's shutdown request (xl shutdown / reboot writes control/shutdown):
   * the kernel's orderly_poweroff runs and the domain stops at once.
   */
  requestShutdown(reason: 'poweroff' | 'reboot'): void {
    if (this.state_ === 'down') return;
    this.stopForeground();
    if (this.state_ !== 'booting') this.write('\n');
    this.kernelLine(`xenbus: shutdown requested: ${reason}`);
    this.goDown(reason === 'reboot' ? 'reboot' : 'poweroff', reason === 'reboot' ? 'reboot' : 'poweroff');
  }

  /** The domain is gone: cancel everything. */
  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.deferred = [];
    this.state_ = 'down';
  }

  // --- time ---

  private after(delay: number, fn: () => void): Timer {
    const t = this.platform.clock.after(delay, () => {
      this.timers.delete(t);
      if (this.frozen) this.deferred.push(fn);
      else fn();
    });
    this.timers.add(t);
    return t;
  }

  private get uptimeNs(): number {
    return Math.max(0, this.platform.clock.now - this.startedAt - this.kernelStart);
  }

  // --- boot ---

  private boot(): void {
    const hw = this.platform.hardware();
    const { lines, loginAt } = bootLog(hw);
    // One timer per distinct instant, lines of that instant in order.
    const byAt = new Map<number, typeof lines>();
    for (const l of lines) byAt.set(l.at, [...(byAt.get(l.at) ?? []), l]);
    for (const [at, group] of byAt) {
      this.after(at, () => {
        for (const l of group) {
          if (l.kmsg) this.kmsg.push(l.text);
          this.write(`${l.text}\n`);
        }
      });
    }
    this.after(loginAt, () => this.loginPrompt());
  }

  private loginPrompt(): void {
    this.state_ = 'login';
    this.ldisc.echo = true;
    this.ldisc.reset();
    this.write(`${this.hw().name} login: `);
  }

  private hw(): GuestHardware {
    return this.platform.hardware();
  }

  // --- console ---

  /** printk: timestamped, kept for dmesg, written to the console. */
  private kernelLine(text: string): void {
    const line = `${printkTime(this.uptimeNs)} ${text}`;
    this.kmsg.push(line);
    this.write(`${line}\n`);
  }

  /** Write through the tty: NL becomes CR NL (ONLCR). */
  private write(text: string): void {
    if (text === '') return;
    const bytes = this.enc.encode(text.includes('\r') ? text.replace(/\r?\n/g, '\r\n') : text.replaceAll('\n', '\r\n'));
    this.pending.push(bytes);
    this.pendingBytes_ += bytes.length;
    this.flush();
  }

  /** hvc_xen's domU_write_console: fill the ring, kick, go on while the backend makes room. */
  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        let wrote = 0;
        const ring = this.console.out;
        while (this.pending.length > 0 && ring.space > 0) {
          const head = this.pending[0]!;
          const n = ring.write(head, this.pendingOffset);
          wrote += n;
          this.pendingOffset += n;
          if (this.pendingOffset >= head.length) {
            this.pending.shift();
            this.pendingOffset = 0;
          }
        }
        if (wrote === 0) break;
        this.pendingBytes_ -= wrote;
        this.bytesOut += wrote;
        this.console.notifyBackend();
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The console event channel fired: input to read and/or output room. */
  private onKick(): void {
    if (this.frozen || this.inKick) {
      this.kickPending = true;
      return;
    }
    this.inKick = true;
    try {
      do {
        this.kickPending = false;
        if (this.console.in.used > 0) {
          const text = this.dec.decode(this.console.in.read(), { stream: true });
          this.console.notifyBackend();
          this.input(text);
        }
        this.flush();
      } while (this.kickPending && !this.frozen);
    } finally {
      this.inKick = false;
    }
  }

  private input(text: string): void {
    if (this.state_ === 'booting' || this.state_ === 'down') return; // no getty on the tty yet
    // One event at a time: what follows a line is read with the tty settings that line
    // left (login turns echo off for the password).
    for (let rest = text; rest !== ''; ) {
      const fed = this.ldisc.feed(rest, (s) => this.write(s));
      rest = fed.rest;
      const e = fed.event;
      if (!e) break;
      if (e.kind === 'intr') {
        this.typedAhead = [];
        this.stopForeground();
        this.write('^C\n');
        if (this.state_ === 'busy') {
          this.prompt();
        } else if (this.state_ === 'shell') this.prompt();
        else if (this.state_ === 'login' || this.state_ === 'password') this.loginPrompt();
        continue;
      }
      if (e.kind === 'eof') {
        if (this.state_ === 'shell') this.logout();
        continue;
      }
      if (this.state_ === 'busy') this.typedAhead.push(e.text);
      else this.line(e.text);
      if (this.isDown()) return;
    }
  }

  private line(text: string): void {
    switch (this.state_) {
      case 'login': {
        const user = text.trim();
        if (user === '') return this.loginPrompt();
        if (user === 'root') return this.loggedIn();
        this.state_ = 'password';
        this.ldisc.echo = false;
        this.write('Password: ');
        return;
      }
      case 'password':
        this.write('\nLogin incorrect\n');
        return this.loginPrompt();
      case 'shell':
        return this.command(text);
      default:
    }
  }

  private loggedIn(): void {
    const hw = this.hw();
    this.write(
      `Linux ${hw.name} ${kernelRelease(hw.type)} ${KERNEL_VERSION} x86_64\n\n` +
        'The programs included with the Debian GNU/Linux system are free software;\n' +
        'the exact distribution terms for each program are described in the\n' +
        'individual files in /usr/share/doc/*/copyright.\n\n' +
        'Debian GNU/Linux comes with ABSOLUTELY NO WARRANTY, to the extent\npermitted by applicable law.\n',
    );
    this.shellPid = this.nextPid++;
    this.prompt();
  }

  private prompt(): void {
    this.state_ = 'shell';
    this.write(`root@${this.hw().name}:~# `);
    const next = this.typedAhead.shift();
    if (next !== undefined) this.line(next);
  }

  private logout(): void {
    this.write(`\n${OS_NAME} ${this.hw().name} ${consoleDevice(this.hw().type)}\n\n`);
    this.loginPrompt();
  }

  private command(text: string): void {
    const r = runCommand(text, {
      hw: this.hw(),
      nowNs: this.platform.clock.now,
      uptimeNs: this.uptimeNs,
      dmesg: this.kmsg,
      pid: this.nextPid++,
      shellPid: this.shellPid,
    });
    this.write(r.output);
    this.effect(r.effect);
  }

  private effect(e: ShellEffect): void {
    switch (e.kind) {
      case 'none':
        return this.prompt();
      case 'sleep': {
        this.state_ = 'busy';
        const timer = this.after(e.ns, () => {
          this.fg = undefined;
          this.prompt();
        });
        this.fg = { timer, kind: 'sleep' };
        return;
      }
      case 'flood': {
        this.state_ = 'busy';
        const tick = (): void => {
          if (this.pendingBytes_ < FLOOD_LOW_WATER) {
            const text = e.next(FLOOD_LOW_WATER);
            if (text === undefined) {
              this.fg = undefined;
              return this.prompt();
            }
            this.write(text);
          }
          this.fg = { timer: this.after(FLOOD_TICK, tick), kind: 'flood' };
        };
        tick();
        return;
      }
      case 'exit':
        return this.logout();
      case 'shutdown': {
        const how = e.how;
        this.write(`The system is going down NOW!\nSent SIGTERM to all processes\nSent SIGKILL to all processes\nRequesting system ${how}\n`);
        this.state_ = 'down';
        this.after(MICROSECS(120_000), () => this.goDown(how === 'reboot' ? 'reboot' : 'poweroff', how));
        return;
      }
      case 'crash': {
        this.state_ = 'down';
        const hw = this.hw();
        for (const l of crashLines(this.uptimeNs, hw, this.nextPid - 1)) {
          this.kmsg.push(l);
          this.write(`${l}\n`);
        }
        this.finish('crash');
        return;
      }
    }
  }

  private stopForeground(): void {
    if (!this.fg) return;
    this.fg.timer.cancel();
    this.timers.delete(this.fg.timer);
    this.fg = undefined;
    // ISIG without NOFLSH: the output queue is flushed too.
    this.pending = [];
    this.pendingOffset = 0;
    this.pendingBytes_ = 0;
  }

  private goDown(reason: 'poweroff' | 'reboot', how: 'poweroff' | 'reboot' | 'halt'): void {
    this.kernelLine(how === 'reboot' ? 'reboot: Restarting system' : 'reboot: System halted');
    this.finish(reason);
  }

  private finish(reason: ShutdownReason): void {
    this.state_ = 'down';
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.platform.shutdown(reason);
  }
}
