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
import { MICROSECS, MILLISECS, SECONDS, type Timer } from '../hypervisor/clock';
import type { ShutdownReason } from '../hypervisor/domain';
import type { XsClient } from '../xenstore/client';
import { bootLog, bootsFromNetwork, kernelStartNs, printkTime, XENBUS_PROBE_AT, type BootLine } from './boot-log';
import { initramfsGaveUpLines, partuuidInvalidLines, resolveRoot, ROOT_MOUNT_AT, rootDeviceOf, rootPanicLines, type RootDevice } from './root-mount';
import { netboot, type NetbootPlan } from './ipxe';
import { ConsoleInterface } from './console-ring';
import type { GuestHardware, GuestPlatform } from './guest-platform';
import { consoleDevice, KERNEL_VERSION, kernelRelease, OS_NAME } from './kernel-release';
import { LineDiscipline } from './line-discipline';
import { LoadAverage } from './loadavg';
import { crashLines, runCommand, type ShellEffect } from './shell';
import type { RootFilesystem } from './df';
import { BalloonDriver, type BalloonPlatform } from './balloon';
import { VcpuHotplug, type VcpuHotplugPlatform } from './vcpu-hotplug';
import { stressWorkloads, type StressPlan } from './stress';
import { TaskList, type Task } from './tasks';
import { cpuSplit, topFrame, type CpuSample, type TopOptions } from './top';
import { xenstoreTool, type XenstoreToolName } from './xenstore-tools';
import type { Dom0ToolName, Dom0Tty } from './dom0-tools';
import { followFrontendBus, probeFrontends, stuckDevices, vbdName, type FrontendResult } from './xenbus-frontend';
import { KernelImage } from './kernel-image';
import { clearResumeState, readResumeState, RESUME_AREA, writeResumeState, type ResumeState } from './resume-state';
import { modelledRegisters, resumeAreaOf, type VcpuRegisters } from './vcpu-registers';

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
  private startedAt: number;
  private kernelStart: number;
  private tasks: TaskList;
  private load: LoadAverage;
  private shellPid = 0;
  /** The command the shell waits for (exits when the prompt comes back). */
  private fgPid = 0;
  private typedAhead: string[] = [];
  /** The tty's window size (TIOCGWINSZ): 0 × 0 until `stty rows N cols M` sets it. */
  private winsize = { rows: 0, cols: 0 };
  private fg: { cancel: () => void; kind: 'sleep' | 'flood' | 'xenstore' | 'stress' | 'top' | 'dom0-tool'; endsAt?: number; sigint?: () => void } | undefined;
  /** The foreground tool put the tty in cbreak mode (curses): typed bytes wait here for its read(). */
  private cbreakInput: { buf: string; wake: (() => void) | undefined } | undefined;
  /** The last command's exit status (`$?`). */
  private status = 0;
  private xs: Promise<XsClient> | undefined;
  /** kexec -l staged a kernel (and its command line). */
  private kexecStaged: { kernel: string; cmdline: string | undefined } | undefined;
  /** Stress workers now running: pid, the vCPU it runs on, cpu or io. */
  private hogs: { pid: number; vcpu: number; kind: 'cpu' | 'io' }[] = [];
  /** Running ns of each vCPU when CPU time was last handed to the tasks. */
  private accountedRun: number[] = [];
  private frontends_: FrontendResult[] = [];
  /** Settles once xenbus_probe's first pass is over (frontends_ then has what connected). */
  private probed: Promise<void> | undefined;
  /** Settles when wait_for_devices stops holding the boot. */
  private devicesWaited: Promise<void> | undefined;
  /** After the probe: whether a device did not connect (undefined while it runs). */
  private bootStuck: boolean | undefined;
  /** Unwatches the frontend bus (devices hot-plugged after boot). */
  private stopFrontendBus: (() => Promise<void>) | undefined;
  private netboot_: NetbootPlan | undefined;
  /** The kernel's image in guest memory (text, rodata, syscall table, IDT, task list). */
  private image: KernelImage | undefined;
  private untrackTasks: (() => void) | undefined;
  /** Counts kernel starts (soft reset): late replies of an older kernel are dropped. */
  private bootEpoch = 0;
  /** Bytes the guest has written to its console, total (for tests and benchmarks). */
  bytesOut = 0;
  /** The balloon driver (./balloon.ts), when the toolstack gives the guest its memory ops. */
  readonly balloon: BalloonDriver | undefined;
  /** vCPU hotplug (./vcpu-hotplug.ts), when the toolstack gives the guest VCPUOP_up/down. */
  readonly vcpuHotplug: VcpuHotplug | undefined;

  /**
   * Domain 0 (the hardware domain): its kernel came up with the host, so there is no
   * boot to replay: getty is on hvc0 at once. What would stop it (poweroff, reboot, a
   * SysRq crash, kexec -e) takes the whole host down on Xen (hwdom_shutdown in
   * xen/common/shutdown.c); XenDeck's shell says so instead of doing it.
   */
  private readonly hardwareDomain: boolean;

  constructor(
    private readonly platform: GuestPlatform,
    opts: {
      paused?: boolean;
      memory?: Omit<BalloonPlatform, 'after'>;
      vcpus?: Omit<VcpuHotplugPlatform, 'whenRunning' | 'log'>;
      /** Restored from a save image: the vCPUs' registers from the stream; the guest resumes instead of booting. */
      resume?: { registers: readonly VcpuRegisters[] };
      /** Domain 0: getty at once, and what would stop it refused (see hardwareDomain). */
      hardwareDomain?: boolean;
    } = {},
  ) {
    this.hardwareDomain = opts.hardwareDomain ?? false;
    this.frozen = opts.paused ?? false;
    this.balloon = opts.memory && new BalloonDriver({ ...opts.memory, after: (d, fn) => this.after(d, fn) });
    this.vcpuHotplug =
      opts.vcpus &&
      new VcpuHotplug({
        ...opts.vcpus,
        whenRunning: (fn) => (this.isDown() ? undefined : this.frozen ? this.deferred.push(fn) : fn()),
        log: (l) => this.kernelLine(l),
      });
    // dom0 started with the host (simulated time 0); a domU's kernel after its firmware
    this.startedAt = this.hardwareDomain ? 0 : platform.clock.now;
    this.kernelStart = this.hardwareDomain ? 0 : kernelStartNs(platform.hardware());
    this.tasks = new TaskList(platform.hardware().vcpus, FIRST_SHELL_PID);
    this.load = new LoadAverage(platform.clock.now);
    this.console.bindGuest(() => this.onKick());
    if (this.hardwareDomain) this.getty();
    else if (!(opts.resume && this.resumeFromMemory(opts.resume.registers))) this.boot();
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

  /**
   * The toolstack suspends the domain to save it (xl save; Linux's do_suspend in
   * drivers/xen/manage.c): tasks are frozen, the kernel's state is where a resumed kernel
   * finds it (its resume area, ./resume-state.ts) and the vCPUs stop in xen_suspend.
   * Returns the online vCPUs' registers for the stream's vCPU context records.
   */
  suspend(): VcpuRegisters[] {
    const mem = this.platform.memory?.();
    if (mem && this.state_ !== 'down' && this.state_ !== 'booting') {
      this.kernelLog('Freezing user space processes ... (elapsed 0.001 seconds) done.');
      this.kernelLog('OOM killer disabled.');
      this.accountCpu();
      try {
        writeResumeState(mem, this.resumeState());
      } catch (e) {
        // no pages there (a domain too small for its image): it will boot again on restore
        this.kernelLog(`PM: resume area not written: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.freeze();
    this.suspendedAt = Array.from({ length: this.hw().vcpus }, (_, v) => modelledRegisters(v, RESUME_AREA));
    return this.suspendedAt;
  }

  /** The registers suspend() left, until the guest runs again: none are modelled while it runs. */
  private suspendedAt: VcpuRegisters[] | undefined;

  /** Where the vCPUs stopped, while the guest is suspended (a dump-core of a saved, paused domain reads them). */
  suspendedRegisters(): readonly VcpuRegisters[] | undefined {
    return this.suspendedAt;
  }

  private resumeState(): ResumeState {
    const base = this.startedAt + this.kernelStart;
    const sleepLeft = this.fg?.kind === 'sleep' ? this.fg.endsAt : undefined;
    return {
      vcpus: this.hw().vcpus,
      uptimeNs: this.uptimeNs,
      systemTimeNs: this.platform.clock.now,
      body: {
        shell: {
          state: this.state_ === 'busy' || this.state_ === 'login' || this.state_ === 'password' || this.state_ === 'shell' ? this.state_ : 'login',
          shellPid: this.shellPid,
          fgPid: this.fgPid,
          ...(sleepLeft !== undefined ? { sleepLeftNs: Math.max(0, sleepLeft - this.platform.clock.now) } : {}),
          ...(this.kexecStaged ? { kexec: { kernel: this.kexecStaged.kernel, ...(this.kexecStaged.cmdline !== undefined ? { cmdline: this.kexecStaged.cmdline } : {}) } } : {}),
        },
        tasks: this.tasks.list().map((t) => ({ ...t, startNs: t.startNs === 0 ? 0 : t.startNs - base })),
        nextPid: this.tasks.nextPidValue,
        dmesg: [...this.kmsg],
        ttyPending: Buffer.concat(this.pending.map((b, i) => (i === 0 ? b.subarray(this.pendingOffset) : b))).toString('base64'),
        frontends: [...this.frontends_],
      },
    };
  }

  /**
   * Restored from a save image: the kernel returns from HYPERVISOR_suspend in the new
   * domain (vCPU 0's registers say so and point at its resume area), reads its state
   * back and goes on — no firmware, no boot log; its xenbus frontends connect again to
   * the new domain's backends (xenbus_dev_resume → blkfront_resume / netfront_resume) and
   * its clock goes on from the uptime it had, plus the time it spent saved (timekeeping_
   * resume adds that to CLOCK_BOOTTIME, which /proc/uptime reads). False when there is
   * nothing to resume from (the guest then boots as a fresh one would).
   */
  private resumeFromMemory(registers: readonly VcpuRegisters[]): boolean {
    const mem = this.platform.memory?.();
    const at = registers[0] && resumeAreaOf(registers[0]);
    if (!mem || at === undefined) return false;
    let st: ResumeState;
    try {
      st = readResumeState(mem, at);
    } catch (e) {
      this.kmsg.push(`${printkTime(0)} PM: no state to resume from (${e instanceof Error ? e.message : String(e)}): booting`);
      return false;
    }
    clearResumeState(mem);
    const now = this.platform.clock.now;
    const uptime = st.uptimeNs + Math.max(0, now - st.systemTimeNs);
    this.kernelStart = 0;
    this.startedAt = now - uptime;
    const base = this.startedAt;
    const b = st.body;
    this.tasks.restore(
      b.tasks.map((t) => ({ ...t, startNs: t.startNs === 0 ? 0 : base + t.startNs })),
      b.nextPid,
    );
    this.kmsg.push(...b.dmesg);
    this.kernelLog('OOM killer enabled.');
    this.kernelLog('Restarting tasks ... done.');
    this.shellPid = b.shell.shellPid;
    this.fgPid = b.shell.fgPid;
    if (b.shell.kexec) this.kexecStaged = { kernel: b.shell.kexec.kernel, cmdline: b.shell.kexec.cmdline };
    this.load = new LoadAverage(now);
    // the kernel image is in the restored pages already: keep its task list in step again
    const image = new KernelImage(mem);
    image.writeTasks(this.tasks);
    this.image = image;
    this.untrackTasks = this.tasks.onChange(() => this.image?.writeTasks(this.tasks));
    const pending = Buffer.from(b.ttyPending, 'base64');
    if (pending.length > 0) {
      this.pending.push(new Uint8Array(pending));
      this.pendingBytes_ += pending.length;
    }
    this.ldisc.reset();
    this.ldisc.echo = b.shell.state !== 'password';
    this.state_ = b.shell.state;
    if (b.shell.state === 'busy') {
      if (b.shell.sleepLeftNs !== undefined) this.sleepFor(b.shell.sleepLeftNs);
      // a job the model cannot carry over (top, stress, a flood, a xenstore tool) ends at the resume
      else this.after(0, () => this.prompt());
    }
    this.after(0, () => this.flush());
    this.reconnectFrontends(b.frontends);
    return true;
  }

  /** xenbus resume: the frontends connect again (the handshake's lines go to dmesg only, as with `quiet`). */
  private reconnectFrontends(had: readonly FrontendResult[]): void {
    const epoch = this.bootEpoch;
    this.frontends_ = [...had];
    this.after(0, () => {
      void this.xenbusClient()
        .then((xs) => probeFrontends(xs, { log: (l) => this.kernelLog(l) }))
        .then(
          (done) => {
            if (this.bootEpoch === epoch) this.frontends_ = done;
          },
          (e: unknown) => this.kernelLog(`xenbus: resume: ${e instanceof Error ? e.message : String(e)}`),
        );
    });
  }

  /** printk below the console loglevel: kept for dmesg, not written to the console. */
  private kernelLog(text: string): void {
    this.kmsg.push(`${printkTime(this.uptimeNs)} ${text}`);
  }

  /** The domain was paused: nothing runs until thaw(). */
  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    if (!this.frozen) return;
    this.frozen = false;
    this.suspendedAt = undefined;
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

  /**
   * `xl sysrq DOMAIN KEY`: libxl writes control/sysrq and Linux's Xen driver
   * (drivers/xen/manage.c sysrq_handler) clears it and runs handle_sysrq(KEY) (Documentation/
   * admin-guide/sysrq.rst): c crashes the kernel, b reboots at once, o powers off, s and
   * u sync and remount; any other key prints SysRq's help. A paused guest handles it
   * when it runs again; a kernel not up yet (or down) has no handler.
   */
  sysrq(key: string): void {
    if (this.frozen) {
      this.deferred.push(() => this.sysrq(key));
      return;
    }
    if (this.state_ === 'down' || this.state_ === 'booting') return;
    // sysrq_handler clears the node ("") before it acts on the key
    void this.xenbusClient()
      .then((xs) => xs.write('control/sysrq', ''))
      .catch(() => undefined);
    switch (key) {
      case 'c':
        this.stopForeground();
        this.write('\n');
        return this.effect({ kind: 'crash' });
      case 'b':
        this.kernelLine('sysrq: Resetting');
        return this.finish('reboot');
      case 'o':
        this.kernelLine('sysrq: Power Off');
        return this.finish('poweroff');
      case 's':
        this.kernelLine('sysrq: Emergency Sync');
        this.kernelLine('Emergency Sync complete');
        return;
      case 'u':
        this.kernelLine('sysrq: Emergency Remount R/O');
        this.kernelLine('Emergency Remount complete');
        return;
      default:
        this.kernelLine('sysrq: HELP : loglevel(0-9) reboot(b) crash(c) terminate-all-tasks(e) memory-full-oom-kill(f) kill-all-tasks(i) thaw-filesystems(j) sak(k) show-backtrace-all-active-cpus(l) show-memory-usage(m) nice-all-RT-tasks(n) poweroff(o) show-registers(p) show-all-timers(q) unraw(r) sync(s) show-task-states(t) unmount(u) show-blocked-tasks(w) dump-ftrace-buffer(z)');
    }
  }

  /**
   * `xl trigger D nmi [VCPU]`: XEN_DOMCTL_SENDTRIGGER_NMI sets the vCPU's nmi_pending; a
   * Linux guest with no NMI source to blame prints arch/x86/kernel/nmi.c
   * unknown_nmi_error's lines and carries on (panic_on_unrecovered_nmi is off).
   */
  nmi(vcpu: number): void {
    if (this.frozen) {
      this.deferred.push(() => this.nmi(vcpu));
      return;
    }
    if (this.state_ === 'down') return;
    this.kernelLine(`Uhhuh. NMI received for unknown reason 00 on CPU ${vcpu}.`);
    this.kernelLine('Do you have a strange power saving mode enabled?');
    this.kernelLine('Dazed and confused, but trying to continue');
  }

  /**
   * `xl trigger D power`: the HVM guest's ACPI power button (hvm_acpi_power_button raises
   * PWRBTN_STS in PM1a); its acpid runs poweroff, an orderly shutdown as the shell's.
   */
  acpiPowerButton(): void {
    if (this.frozen) {
      this.deferred.push(() => this.acpiPowerButton());
      return;
    }
    if (this.state_ === 'down' || this.state_ === 'booting') return;
    this.stopForeground();
    this.write('\n');
    this.effect({ kind: 'shutdown', how: 'poweroff' });
  }

  /** The domain is gone: cancel everything. */
  stop(): void {
    void this.xs?.then((c) => c.close()).catch(() => undefined);
    this.xs = undefined;
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

  private boot(opts: { kexec?: boolean; cmdline?: string } = {}): void {
    const hw0 = this.platform.hardware();
    const hw = opts.cmdline !== undefined ? { ...hw0, cmdline: opts.cmdline } : hw0;
    // boot="n...": the NIC's iPXE asks the lab network first (./ipxe.ts)
    const net = !opts.kexec && bootsFromNetwork(hw) ? netboot(hw, this.platform.labNetwork?.(), MILLISECS(140)) : undefined;
    this.netboot_ = net;
    if (net) this.kernelStart = kernelStartNs(hw, net);
    const { lines, loginAt } = bootLog(hw, { firmware: !opts.kexec, ...(net ? { net } : {}) });
    if (loginAt === undefined) {
      this.scheduleLines(lines, 0, 0);
      // SeaBIOS: "No bootable device.  Retrying in 60 seconds." — and it does
      this.after((lines.at(-1)?.at ?? 0) + SECONDS(60), () => this.boot());
      return;
    }
    const kernelAt = opts.kexec ? 0 : kernelStartNs(hw, net);
    // the kernel's part up to mounting the root filesystem; the rest once it is mounted (./root-mount.ts)
    const rootAt = kernelAt + ROOT_MOUNT_AT;
    this.scheduleLines(
      lines.filter((l) => l.at < rootAt),
      0,
      0,
    );
    const epoch = this.bootEpoch;
    this.after(rootAt, () =>
      this.mountRoot(hw, epoch, (heldNs) => {
        this.scheduleLines(
          lines.filter((l) => l.at >= rootAt),
          -rootAt,
          heldNs,
        );
        this.after(loginAt - rootAt, () => this.loginPrompt());
      }),
    );
    this.after(kernelAt, () => this.loadKernelImage(hw));
    this.after(kernelAt + XENBUS_PROBE_AT, () => this.startFrontends());
  }

  /**
   * Boot lines on the console at their instants (plus `offset`), one timer per distinct
   * instant; a kernel line of a boot held `heldNs` longer is stamped that much later.
   */
  private scheduleLines(lines: readonly BootLine[], offset: number, heldNs: number): void {
    const byAt = new Map<number, BootLine[]>();
    for (const l of lines) byAt.set(l.at, [...(byAt.get(l.at) ?? []), l]);
    for (const [at, group] of byAt) {
      this.after(at + offset, () => {
        for (const l of group) {
          const text = heldNs > 0 && l.printk ? `${printkTime(l.printk.ns + heldNs)} ${l.printk.message}` : l.text;
          if (l.kmsg) this.kmsg.push(text);
          this.write(`${text}\n`);
        }
      });
    }
  }

  /**
   * prepare_namespace (./root-mount.ts): the root device's vbd must be Connected. When it
   * already is (or the root is not a vbd the guest has), the boot goes on at once. Else
   * the probe's outcome is awaited: a root vbd whose backend never came (its hotplug
   * script failed) holds the boot through wait_for_devices' 30 s, then the kernel waits
   * for it (rootwait) or panics (→ on_crash). `go(heldNs)` continues the boot.
   */
  private mountRoot(hw: GuestHardware, epoch: number, go: (heldNs: number) => void): void {
    const root = rootDeviceOf(hw);
    const found = (): boolean => resolveRoot(root, this.frontends_.filter((f) => f.kind === 'vbd').map((f) => f.name)) !== undefined;
    // a root= form not modelled, or a /dev/xvdXN of no vbd of this guest (the model's
    // diskless guests run from their image): it boots on
    const bootsOn = root.spec.kind === 'other' || (root.spec.kind === 'dev' && !(hw.vbds ?? []).some((v) => vbdName(v) === root.disk));
    // no vbds, or every device connected already (the usual case at a paced clock): nothing holds the boot
    if ((bootsOn && (hw.vbds ?? []).length === 0) || (this.bootStuck === false && (bootsOn || found()))) return go(0);
    const plannedAt = this.platform.clock.now;
    const stale = (): boolean => this.bootEpoch !== epoch || this.isDown();
    const resume = (): void => {
      if (stale()) return;
      const run = (): void => go(this.platform.clock.now - plannedAt);
      if (this.frozen) this.deferred.push(run);
      else run();
    };
    void (async () => {
      await (this.probed ?? Promise.resolve()).catch(() => undefined);
      if (stale()) return;
      const stuck = await this.xenbusClient()
        .then((xs) => stuckDevices(xs))
        .catch(() => []);
      if (stale()) return;
      // a device whose backend never came: wait_for_devices holds the boot to its timeout
      if (stuck.some((d) => d.hotplugError)) await this.devicesWaited;
      if (stale()) return;
      if (bootsOn || found()) return resume();
      const act = (): void => {
        if (root.initramfs) return this.initramfsWaitForRoot(root, found, resume);
        if (root.spec.kind === 'partuuid-invalid') {
          for (const l of partuuidInvalidLines(this.uptimeNs, root)) {
            this.kmsg.push(l);
            this.write(`${l}\n`);
          }
          return this.rootPanic(hw, root);
        }
        return root.wait ? this.waitForRoot(root, found, resume) : this.rootPanic(hw, root);
      };
      if (this.frozen) this.deferred.push(act);
      else act();
    })();
  }

  /** `rootwait`: the kernel polls for the device (msleep(5) in prepare_namespace; here every second). */
  private waitForRoot(root: RootDevice, found: () => boolean, resume: () => void): void {
    this.kernelLine(`Waiting for root device ${root.device}...`);
    const poll = (): void => {
      if (found()) return resume();
      this.after(SECONDS(1), poll);
    };
    this.after(SECONDS(1), poll);
  }

  /**
   * initramfs-tools' local_device_setup: up to ROOTDELAY seconds for the device's udev
   * link (checked each second here), then it gives up and drops to the initramfs's
   * BusyBox shell. That shell is not modelled: the console says so; the domain runs on.
   */
  private initramfsWaitForRoot(root: RootDevice, found: () => boolean, resume: () => void): void {
    let waited = 0;
    const poll = (): void => {
      if (found()) return resume();
      if (waited >= root.rootDelayS) {
        this.write(`${initramfsGaveUpLines(root).join('\n')}\n\n`);
        this.write("XenDeck: the initramfs's BusyBox shell is not modelled; this console takes no input. Destroy the domain, correct root= in its config and create it again.\n");
        return;
      }
      waited++;
      this.after(SECONDS(1), poll);
    };
    poll();
  }

  private rootPanic(hw: GuestHardware, root: RootDevice): void {
    const disks = this.frontends_.filter((f) => f.kind === 'vbd' && f.sectors !== undefined).map((f) => ({ name: f.name, sectors: f.sectors!, readonly: f.readonly ?? false }));
    for (const l of rootPanicLines(this.uptimeNs, hw, root, disks)) {
      this.kmsg.push(l);
      this.write(`${l}\n`);
    }
    this.finish('crash');
  }

  /** What the last network boot got (address, whether a kernel came over TFTP). */
  get netboot(): NetbootPlan | undefined {
    return this.netboot_;
  }

  /**
   * The kernel is decompressed to its load address: its sections and task list go into
   * guest memory (./kernel-image.ts), the list kept in step with the processes.
   */
  private loadKernelImage(hw: GuestHardware): void {
    const mem = this.platform.memory?.();
    if (!mem) return;
    try {
      const image = new KernelImage(mem);
      image.load(`Linux version ${kernelRelease(hw.type)} ${KERNEL_VERSION}`);
      image.writeTasks(this.tasks);
      this.image = image;
      this.untrackTasks?.();
      this.untrackTasks = this.tasks.onChange(() => this.image?.writeTasks(this.tasks));
    } catch (e) {
      // a domain too small for the image (its pages not populated) runs without one
      this.kernelLine(`Kernel image not placed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** PV frontends attached so far (xenbus handshake done). */
  get frontends(): readonly FrontendResult[] {
    return this.frontends_;
  }

  /** xenbus_probe: the PV frontends come up through the handshake, printing as they connect. */
  private startFrontends(): void {
    const epoch = this.bootEpoch;
    const log = (l: string): void => {
      if (this.bootEpoch !== epoch || this.isDown()) return;
      if (this.frozen) this.deferred.push(() => this.kernelLine(l));
      else this.kernelLine(l);
    };
    this.probed = this.xenbusClient()
      .then(async (xs) => {
        const done = await probeFrontends(xs, { log });
        if (this.bootEpoch !== epoch) return done;
        // then follow the bus: `xl block-attach` / `block-detach` while the guest runs
        const stop = await followFrontendBus(xs, {
          log,
          attached: (r) => {
            if (this.bootEpoch === epoch) this.frontends_ = [...this.frontends_, r];
          },
          detached: (kind, devid) => {
            if (this.bootEpoch === epoch) this.frontends_ = this.frontends_.filter((f) => f.kind !== kind || f.devid !== devid);
          },
        }, done);
        if (this.bootEpoch === epoch) this.stopFrontendBus = stop;
        else void stop();
        // what did not connect (its backend's hotplug failed): wait_for_devices will hold the boot
        const stuck = await stuckDevices(xs).catch(() => []);
        if (this.bootEpoch === epoch) this.bootStuck = stuck.length > 0;
        return done;
      })
      .then(
        (done) => {
          if (this.bootEpoch !== epoch) return;
          this.frontends_ = [...done, ...this.frontends_.filter((f) => !done.some((d) => d.kind === f.kind && d.devid === f.devid))];
          if (done.some((d) => d.kind === 'vbd' && d.name === 'xvda')) log('EXT4-fs (xvda1): mounted filesystem with ordered data mode. Quota mode: none.');
        },
        (e: unknown) => log(`xenbus_probe_frontend: no PV devices: ${e instanceof Error ? e.message : String(e)}`),
      );
    this.devicesWaited = this.waitForDevices(epoch);
  }

  /**
   * xenbus_probe_frontend's wait_for_devices (drivers/xen/xenbus/xenbus_probe_frontend.c):
   * while a device is still connecting, every 5 s "Waiting for devices to initialise:
   * 25s...20s..." on one line, up to 30 s; then "Timeout connecting to device" for each
   * one not Connected, with both ends' xenbus states (a vbd whose hotplug script failed
   * stays at 1/1). The model speaks only of devices that cannot connect any more (their
   * backend's hotplug-status is "error"): the handshake runs over xenstore, outside the
   * simulated clock, so "slow" is not a thing it can tell. Linux holds its boot there,
   * and so does the model: mountRoot() awaits the returned promise before the root is mounted.
   */
  private waitForDevices(epoch: number): Promise<void> {
    let ended!: () => void;
    const over = new Promise<void>((r) => (ended = r));
    const MAX_S = 30;
    let waited = 0;
    let line: string | undefined;
    const step = (): void => {
      if (this.bootEpoch !== epoch || this.isDown()) return ended();
      waited += 5;
      void this.xenbusClient()
        .then((xs) => stuckDevices(xs))
        .then((stuck) => {
          if (this.bootEpoch !== epoch || this.isDown()) return ended();
          const failed = stuck.filter((d) => d.hotplugError);
          if (failed.length === 0) {
            if (line !== undefined) {
              this.endPartialLine(line); // connected after all
              return ended();
            }
            if (stuck.length > 0 && waited < MAX_S) this.after(SECONDS(5), step);
            else ended();
            return;
          }
          if (line === undefined) {
            line = `${printkTime(this.uptimeNs)} xenbus_probe_frontend: Waiting for devices to initialise: `;
            this.write(line);
          }
          // the countdown from the first 5 s (the device was connecting all along)
          let pieces = '';
          for (let s = line.endsWith(': ') ? 5 : waited; s <= waited; s += 5) pieces += `${MAX_S - s}s...`;
          line += pieces;
          this.write(pieces);
          if (waited < MAX_S) {
            this.after(SECONDS(5), step);
            return;
          }
          this.endPartialLine(line);
          for (const d of stuck) this.kernelLine(`xenbus_probe_frontend: Timeout connecting to device: ${d.node} (local state ${d.local}, remote state ${d.remote})`);
          ended();
        })
        .catch(() => ended());
    };
    this.after(SECONDS(5), step);
    return over;
  }

  /** pr_cont's end: the line goes to dmesg whole. */
  private endPartialLine(line: string): void {
    this.kmsg.push(line);
    this.write('\n');
  }

  /** agetty on the console: /etc/issue, then the login prompt. */
  private getty(): void {
    this.write(`\n${OS_NAME} ${this.hw().name} ${consoleDevice(this.hw().type)}\n\n`);
    this.loginPrompt();
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
    if (this.cbreakInput) return this.cbreakBytes(text);
    // One event at a time: what follows a line is read with the tty settings that line
    // left (login turns echo off for the password).
    for (let rest = text; rest !== ''; ) {
      const fed = this.ldisc.feed(rest, (s) => this.write(s));
      rest = fed.rest;
      const e = fed.event;
      if (!e) break;
      if (e.kind === 'intr') {
        this.typedAhead = [];
        if (this.fg?.sigint) {
          this.caughtSigint(true);
          continue;
        }
        this.stopForeground();
        this.write('^C\n');
        // the interrupted job's status, as a shell reports a child killed by SIGINT
        if (this.state_ === 'busy') {
          this.status = 130;
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

  /**
   * cbreak input (ICANON off, ECHO off, ISIG on): each byte is the tool's to read, but
   * ^C still raises SIGINT; what follows it is flushed with the queues, as n_tty does.
   */
  private cbreakBytes(text: string): void {
    const raw = this.cbreakInput!;
    const intr = text.indexOf('\x03');
    raw.buf += intr < 0 ? text : text.slice(0, intr);
    if (intr >= 0) {
      raw.buf = '';
      if (this.fg?.sigint) this.caughtSigint(false);
      else {
        this.stopForeground();
        this.status = 130;
        this.prompt();
      }
    }
    raw.wake?.();
  }

  /**
   * SIGINT to a foreground tool that catches it: the queues are flushed (ISIG without
   * NOFLSH), the tty echoes ^C when echo is on, and the tool runs on to its own exit.
   */
  private caughtSigint(echo: boolean): void {
    this.pending = [];
    this.pendingOffset = 0;
    this.pendingBytes_ = 0;
    if (echo) this.write('^C\n');
    this.fg?.sigint?.();
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
    this.shellPid = this.tasks.spawn('-sh', 1, this.platform.clock.now, 1560).pid;
    this.tasks.get(this.shellPid)!.state = 'S';
    this.prompt();
  }

  private prompt(): void {
    if (this.fgPid !== 0) {
      this.tasks.exit(this.fgPid);
      this.fgPid = 0;
    }
    this.state_ = 'shell';
    this.write(`root@${this.hw().name}:~# `);
    const next = this.typedAhead.shift();
    if (next !== undefined) this.line(next);
  }

  private logout(): void {
    this.tasks.exit(this.shellPid);
    this.getty();
  }

  private command(line: string): void {
    // `cmd &`: a background job (ash prints its job number and pid, then the prompt)
    const background = /&\s*$/.test(line);
    const text = background ? line.replace(/&\s*$/, '') : line;
    const now = this.platform.clock.now;
    const blank = text.trim() === '';
    // the shell forks for each command line; the child shows in ps until it exits
    const task = blank ? undefined : this.tasks.spawn(text.trim(), this.shellPid, now);
    this.fgPid = task?.pid ?? 0;
    this.accountCpu();
    const r = runCommand(text, {
      hw: this.hw(),
      nowNs: now,
      uptimeNs: this.uptimeNs,
      dmesg: this.kmsg,
      pid: task?.pid ?? 0,
      shellPid: this.shellPid,
      tasks: this.tasks.list(),
      kexecLoaded: this.kexecStaged !== undefined,
      load: this.load.at(now),
      disks: this.frontends_.filter((f) => f.kind === 'vbd' && f.sectors !== undefined).map((f) => ({ name: f.name, sectors: f.sectors!, readonly: f.readonly ?? false })),
      status: this.status,
      winsize: this.winsize,
      ...(this.hardwareDomain ? this.dom0RootFs() : {}),
    });
    this.status = r.status ?? 0;
    this.write(r.output);
    if (background && r.effect.kind === 'stress') {
      this.write(`[1] ${this.fgPid}\n`);
      const pid = this.fgPid;
      this.fgPid = 0;
      this.stress(r.effect.plan, pid);
      return this.prompt();
    }
    this.effect(r.effect);
  }

  private effect(e: ShellEffect): void {
    if (this.hardwareDomain && (e.kind === 'shutdown' || e.kind === 'crash' || e.kind === 'kexec-exec')) {
      const what = e.kind === 'shutdown' ? e.how : e.kind === 'crash' ? 'a kernel crash' : 'kexec';
      this.write(`-sh: ${what} in Domain-0 would take the whole host down (Xen's hwdom_shutdown); not implemented in XenDeck: restart the host from the console instead\n`);
      return this.prompt();
    }
    switch (e.kind) {
      case 'none':
        return this.prompt();
      case 'sleep':
        this.state_ = 'busy';
        this.setTaskState(this.fgPid, 'S');
        return this.sleepFor(e.ns);
      case 'xenstore':
        return this.xenstoreTool(e.tool, e.args);
      case 'dom0-tool':
        return this.dom0Tool(e.tool, e.args);
      case 'stress':
        this.state_ = 'busy';
        return this.stress(e.plan, this.fgPid);
      case 'top':
        return this.top(e.opts);
      case 'kexec-load':
        this.kexecStaged = { kernel: e.kernel, cmdline: e.cmdline };
        return this.prompt();
      case 'kexec-unload':
        this.kexecStaged = undefined;
        return this.prompt();
      case 'winsize':
        this.winsize = e.size;
        return this.prompt();
      case 'kexec-exec':
        return this.kexecExec();
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
          const timer = this.after(FLOOD_TICK, tick);
          this.fg = { cancel: () => this.cancelTimer(timer), kind: 'flood' };
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
        for (const l of crashLines(this.uptimeNs, hw, this.fgPid)) {
          this.kmsg.push(l);
          this.write(`${l}\n`);
        }
        this.finish('crash');
        return;
      }
    }
  }

  private sleepFor(ns: number): void {
    const timer = this.after(ns, () => {
      this.fg = undefined;
      this.prompt();
    });
    this.fg = { cancel: () => this.cancelTimer(timer), kind: 'sleep', endsAt: this.platform.clock.now + ns };
  }

  private cancelTimer(t: Timer): void {
    t.cancel();
    this.timers.delete(t);
  }

  private stopForeground(): void {
    if (!this.fg) return;
    const fg = this.fg;
    this.fg = undefined;
    this.cbreakInput = undefined;
    fg.cancel();
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

  // --- processes and the scheduler ---

  private setTaskState(pid: number, state: Task['state']): void {
    const t = this.tasks.get(pid);
    if (t) t.state = state;
  }

  /** The active-task count the load average folds in: running and uninterruptible. */
  private activeChanged(): void {
    const active = this.tasks.list().filter((t) => t.state === 'R' || t.state === 'D').length;
    this.load.set(this.platform.clock.now, Math.max(0, active - (this.fgPid !== 0 && this.tasks.get(this.fgPid)?.state === 'R' ? 1 : 0)));
  }

  /**
   * Hand the CPU time each vCPU ran since the last call (its runstate's running time,
   * from the scheduler) to the stress workers on it, in equal shares.
   */
  private accountCpu(): void {
    if (this.hogs.length === 0) {
      this.accountedRun = [];
      return;
    }
    const rs = this.platform.vcpuRunstates();
    rs.forEach((r, v) => {
      const delta = r.running - (this.accountedRun[v] ?? r.running);
      this.accountedRun[v] = r.running;
      const here = this.hogs.filter((h) => h.vcpu === v);
      for (const h of here) {
        const t = this.tasks.get(h.pid);
        if (t) t.cpuNs += delta / here.length;
      }
    });
  }

  /**
   * The guest's xenbus connection, opened again when the old one closed (xenstored was
   * killed and started again from its store): Linux's xenbus reconnects likewise after a
   * xenstored restart, so the next xenstore-read works without a reboot.
   */
  private async xenbusClient(): Promise<XsClient> {
    const cur = this.xs;
    if (cur !== undefined) {
      const xs = await cur.catch(() => undefined);
      if (xs !== undefined && !xs.isClosed) return xs;
      if (this.xs === cur) this.xs = undefined;
    }
    this.xs ??= this.platform.xenbus();
    return this.xs;
  }

  private xenstoreTool(tool: XenstoreToolName, args: string[]): void {
    this.state_ = 'busy';
    let cancelled = false;
    this.fg = { cancel: () => (cancelled = true), kind: 'xenstore' };
    const run = this.xenbusClient().then((xs) => xenstoreTool(xs, tool, args));
    void run
      .catch((e: unknown) => ({ output: `xenstore-${tool}: ${e instanceof Error ? e.message : String(e)}\n`, status: 1 }))
      .then((r) => {
        if (cancelled || this.isDown()) return;
        const go = (): void => {
          this.fg = undefined;
          this.status = r.status;
          this.write(r.output);
          this.prompt();
        };
        // the reply is read when the guest runs again
        if (this.frozen) this.deferred.push(go);
        else go();
      });
  }

  /**
   * xl / xentop in Domain 0: the host's runner (./dom0-tools.ts) runs the tool against
   * the toolstack while the shell waits, its output on the tty as it comes; ^C aborts it
   * (a wait in it ends, what it prints after is dropped) and the prompt comes back. A
   * dom0 whose host wired no runner says so instead (a lab run by `xl --lab` has none).
   */
  private dom0Tool(tool: Dom0ToolName, args: string[]): void {
    const tools = this.platform.dom0Tools?.();
    if (!tools) {
      this.status = 127;
      this.write(`-sh: ${tool}: not available in this Domain-0 (its host runs no toolstack for it; use \`npx xl\` against the running XenDeck)\n`);
      return this.prompt();
    }
    this.state_ = 'busy';
    this.setTaskState(this.fgPid, 'S');
    const abort = new AbortController();
    let done = false;
    /** The tool caught SIGINT: ^C aborts `signal` and the tool runs on to its exit. */
    let catches = false;
    const fg: NonNullable<Guest['fg']> = { cancel: () => abort.abort(), kind: 'dom0-tool' };
    this.fg = fg;
    const epoch = this.bootEpoch;
    const live = (): boolean => !done && (catches || !abort.signal.aborted) && !this.isDown() && this.bootEpoch === epoch;
    const print = (text: string): void => {
      if (!live()) return;
      // written when the guest runs (a paused dom0 is not a thing, but keep the rule)
      if (this.frozen) this.deferred.push(() => live() && this.write(text));
      else this.write(text);
    };
    const finish = (status: number): void => {
      if (this.cbreakInput && this.fg === fg) this.cbreakInput = undefined;
      if (!live()) return;
      done = true;
      this.fg = undefined;
      this.status = status;
      this.prompt();
    };
    void tools
      .run(tool, args, { out: print, err: print, signal: abort.signal, tty: this.dom0Tty(fg, abort.signal, () => (catches = true)) })
      .catch((e: unknown) => {
        print(`${tool}: ${e instanceof Error ? e.message : String(e)}\n`);
        return 1;
      })
      .then(finish);
  }

  /** dom0's console as the tty of foreground tool `fg` (./dom0-tools.ts Dom0Tty). */
  private dom0Tty(fg: NonNullable<Guest['fg']>, signal: AbortSignal, caught: () => void): Dom0Tty {
    const mine = (): boolean => this.fg === fg && !this.isDown();
    /** A wait on the host's clock that a caught SIGINT (the abort) ends early. */
    const wait = <T>(ns: number, ready: () => T | undefined, onTimeout: T): Promise<T> =>
      new Promise((resolve) => {
        const armed: { timer?: Timer } = {};
        const settle = (v: T): void => {
          if (armed.timer) this.cancelTimer(armed.timer);
          signal.removeEventListener('abort', aborted);
          if (this.cbreakInput?.wake === check) this.cbreakInput.wake = undefined;
          resolve(v);
        };
        const aborted = (): void => settle(onTimeout);
        const check = (): void => {
          const v = ready();
          if (v !== undefined) settle(v);
        };
        if (signal.aborted || !mine()) return resolve(onTimeout);
        const now = ready();
        if (now !== undefined) return resolve(now);
        signal.addEventListener('abort', aborted);
        if (this.cbreakInput) this.cbreakInput.wake = check;
        armed.timer = this.after(ns, () => settle(onTimeout));
      });
    return {
      rows: this.winsize.rows,
      cols: this.winsize.cols,
      nowNs: () => this.platform.clock.now,
      sleep: (ns) => wait<true | undefined>(ns, () => undefined, undefined).then(() => undefined),
      catchSigint: () => {
        caught();
        fg.sigint = () => fg.cancel();
      },
      cbreak: (on) => {
        if (!mine()) return;
        this.cbreakInput = on ? { buf: '', wake: undefined } : undefined;
      },
      read: (ns) =>
        wait<string | undefined>(
          ns,
          () => {
            const raw = this.cbreakInput;
            if (!raw || raw.buf === '') return undefined;
            const typed = raw.buf;
            raw.buf = '';
            return typed;
          },
          undefined,
        ),
    };
  }

  /** Domain-0's `/`: the host's root LV (./df.ts), with the statfs of the lab folder's filesystem. */
  private dom0RootFs(): { rootFs?: RootFilesystem } {
    const fs = this.platform.dom0Tools?.()?.rootFilesystem?.();
    return fs ? { rootFs: { source: `/dev/mapper/${this.hw().name.replaceAll('-', '--')}--vg-root`, ...fs } } : {};
  }

  /** Run stress as process `parent`: in the foreground when it is the shell's fg job. */
  private stress(plan: StressPlan, parent: number): void {
    const foreground = parent === this.fgPid;
    const hw = this.hw();
    const now = this.platform.clock.now;
    const { vcpuOf, kinds, specs } = stressWorkloads(plan, hw.vcpus);
    this.write(`stress: info: [${parent}] dispatching hogs: ${plan.cpu} cpu, ${plan.io} io, 0 vm, 0 hdd\n`);
    this.setTaskState(parent, 'S');
    this.accountedRun = this.platform.vcpuRunstates().map((r) => r.running);
    this.hogs = kinds.map((kind, k) => {
      const t = this.tasks.spawn('stress', parent, now, 96);
      t.state = kind === 'cpu' ? 'R' : 'D';
      return { pid: t.pid, vcpu: vcpuOf[k]!, kind };
    });
    specs.forEach((spec, v) => this.platform.setWorkload(v, spec));
    this.activeChanged();
    const end = (): void => {
      this.accountCpu();
      for (let v = 0; v < hw.vcpus; v++) this.platform.setWorkload(v, { kind: 'idle' });
      for (const h of this.hogs) this.tasks.exit(h.pid);
      this.hogs = [];
      this.activeChanged();
    };
    const started = now;
    const timer = plan.timeoutNs === undefined ? undefined : this.after(plan.timeoutNs, () => {
      end();
      this.write(`stress: info: [${parent}] successful run completed in ${Math.round((this.platform.clock.now - started) / 1e9)}s\n`);
      if (foreground) {
        this.fg = undefined;
        this.prompt();
      } else this.tasks.exit(parent);
    });
    if (foreground) {
      this.fg = {
        cancel: () => {
          if (timer) this.cancelTimer(timer);
          end();
        },
        kind: 'stress',
      };
    }
  }

  /** CPU figures now: per-vCPU runstates and which vCPUs only wait for I/O. */
  private cpuSample(): CpuSample {
    const runstates = this.platform.vcpuRunstates();
    return { runstates, ioOnly: runstates.map((_, v) => this.hogs.some((h) => h.vcpu === v) && this.hogs.every((h) => h.vcpu !== v || h.kind === 'io')) };
  }

  private top(opts: TopOptions): void {
    this.state_ = 'busy';
    this.setTaskState(this.fgPid, 'S');
    let before: CpuSample | undefined;
    let beforeCpu = new Map<number, number>();
    let beforeAt = this.startedAt + this.kernelStart;
    let frames = 0;
    const frame = (): void => {
      this.accountCpu();
      const now = this.platform.clock.now;
      const sample = this.cpuSample();
      const tasks = this.tasks.list();
      const interval = Math.max(1, now - beforeAt);
      const pct = new Map<number, number>();
      for (const t of tasks) pct.set(t.pid, (100 * (t.cpuNs - (beforeCpu.get(t.pid) ?? (before ? 0 : 0)))) / (before ? interval : Math.max(1, now - Math.max(t.startNs, beforeAt))));
      const run = (x: CpuSample | undefined, v: number): number => x?.runstates[v]?.running ?? 0;
      const cpuRun = sample.runstates.reduce((a, _r, v) => a + (this.hogs.some((h) => h.vcpu === v && h.kind === 'cpu') ? run(sample, v) - run(before, v) : 0), 0);
      const allRun = sample.runstates.reduce((a, _r, v) => a + run(sample, v) - run(before, v), 0);
      const split = cpuSplit(before, sample, allRun > 0 ? cpuRun / allRun : 0);
      const text = topFrame({ hw: this.hw(), nowNs: now, uptimeNs: this.uptimeNs, tasks, cpuPct: pct, split, load: this.load.at(now) });
      this.write(opts.batch ? text : `\x1b[H\x1b[2J${text}`);
      before = sample;
      beforeCpu = new Map(tasks.map((t) => [t.pid, t.cpuNs]));
      beforeAt = now;
      frames++;
      if (opts.iterations !== undefined && frames >= opts.iterations) {
        this.fg = undefined;
        this.prompt();
        return;
      }
      const timer = this.after(Math.round(opts.delayS * 1e9), frame);
      this.fg = { cancel: () => this.cancelTimer(timer), kind: 'top' };
    };
    frame();
  }

  /**
   * kexec -e: Linux's kernel_kexec() on Xen ends in xen_reboot(SHUTDOWN_soft_reset)
   * (arch/x86/xen/enlighten_hvm.c, xen_hvm_shutdown with kexec_in_progress); what
   * follows is the toolstack's on_soft_reset. With "soft-reset" it calls softReset().
   */
  private kexecExec(): void {
    this.state_ = 'down';
    this.kernelLine('kexec_core: Starting new kernel');
    this.finish('soft_reset');
  }

  /**
   * The domain was soft-reset (XEN_DOMCTL_soft_reset) and runs again in place: the
   * staged kernel starts at its entry point — no firmware, the same memory, domid and
   * console — and boots as any kernel does, on the staged command line.
   */
  softReset(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.deferred = [];
    this.fg = undefined;
    this.hogs = [];
    this.kmsg.length = 0;
    this.typedAhead = [];
    this.ldisc.reset();
    const staged = this.kexecStaged;
    this.kexecStaged = undefined;
    this.startedAt = this.platform.clock.now;
    this.kernelStart = 0;
    this.tasks = new TaskList(this.hw().vcpus, FIRST_SHELL_PID);
    this.untrackTasks?.();
    this.untrackTasks = undefined;
    this.image = undefined;
    this.load = new LoadAverage(this.platform.clock.now);
    this.shellPid = 0;
    this.fgPid = 0;
    this.state_ = 'booting';
    this.bootEpoch++;
    this.frontends_ = [];
    this.bootStuck = undefined;
    this.probed = undefined;
    this.devicesWaited = undefined;
    void this.stopFrontendBus?.();
    this.stopFrontendBus = undefined;
    this.boot({ kexec: true, ...(staged?.cmdline !== undefined ? { cmdline: staged.cmdline } : {}) });
  }
}
