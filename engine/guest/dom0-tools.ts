/**
 * Xen's own tools as Domain-0's shell finds them on a Xen host (xen-utils: /usr/sbin/xl,
 * /usr/sbin/xentop): they talk to the hypervisor and the toolstack of the host this dom0
 * runs on. The guest model does not reach the toolstack itself (engine/guest stays
 * below it); the host wiring hands dom0 a runner (GuestPlatform.dom0Tools) that runs
 * XenDeck's own `xl` and `xentop` in process against that host, so what they change is
 * what the console shows. Their standard output and error go to dom0's tty; ^C aborts
 * `signal` (a tool that waits — `xl shutdown -w` — stops waiting).
 */
export type Dom0ToolName = 'xl' | 'xentop';

export const DOM0_TOOLS: readonly Dom0ToolName[] = ['xl', 'xentop'];

/**
 * The controlling tty as a process in dom0 sees it (hvc0, the Xen console), for a tool
 * that draws a screen or reads keys (xentop's curses screen) or sleeps between updates.
 */
export interface Dom0Tty {
  /**
   * TIOCGWINSZ: the window size set on the tty (`stty rows N cols M`); 0 × 0 when none
   * was (a Xen console carries no window size, so curses falls back to terminfo's).
   */
  readonly rows: number;
  readonly cols: number;
  /** CLOCK_REALTIME in dom0: the host's simulated clock, ns. */
  nowNs(): number;
  /** sleep(): on the host's clock; ends early when a caught SIGINT arrives (EINTR). */
  sleep(ns: number): Promise<void>;
  /**
   * sigaction(SIGINT, handler): ^C aborts `signal` but the tool is not killed; it runs
   * on to its own exit, whose status is the shell's `$?`.
   */
  catchSigint(): void;
  /**
   * curses' cbreak(), noecho() and nonl() (on): each byte typed reaches read() at once,
   * unechoed, CR as CR; ^C still signals (ISIG stays on). Off: the shell's settings back.
   */
  cbreak(on: boolean): void;
  /** read() with halfdelay's timeout: what has been typed, or undefined after timeoutNs (or a caught SIGINT). */
  read(timeoutNs: number): Promise<string | undefined>;
}

export interface Dom0ToolIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborted by ^C on the tty. */
  signal: AbortSignal;
  /** The tty the tool runs on (the guest's console), when it runs on one. */
  tty?: Dom0Tty;
}

/** statfs(2) of a filesystem, KiB: its size, what is used, what an unprivileged user may still use. */
export interface Dom0Statfs {
  sizeKiB: number;
  usedKiB: number;
  availKiB: number;
}

export interface Dom0Tools {
  /** Runs `tool args...` as root in dom0 (working directory /root); resolves to its exit status. */
  run(tool: Dom0ToolName, args: string[], io: Dom0ToolIo): Promise<number>;
  /**
   * statfs of dom0's root filesystem: the host's files (configs, disk images under
   * /var/lib/xen/images, save files) are the lab folder's, so it is the filesystem the
   * lab folder is on; undefined when the host keeps no lab folder (dom0 has no files).
   */
  rootFilesystem?(): Dom0Statfs | undefined;
}
