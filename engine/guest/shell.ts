/**
 * The guest's shell: root's login shell (BusyBox ash, as on the real guest of
 * test/fixtures/realxen), with the commands a Xen user tries first. Each command is a
 * pure function of the guest's state; what it does to the machine comes back as an
 * effect the guest carries out (sleep on the simulated clock, shutdown through
 * SCHEDOP_shutdown, a crash from the magic SysRq 'c' (Documentation/admin-guide/
 * sysrq.rst), logout, a flood of output).
 */
import { printkTime } from './boot-log';
import type { GuestHardware } from './guest-platform';
import { OS_NAME, kernelRelease } from './kernel-release';
import { cpuinfo, free, meminfo, procVersion, unameAll, uptime } from './proc-files';
import { kallsyms } from './kernel-image';
import { parseStress, type StressPlan } from './stress';
import type { Task } from './tasks';
import { parseTop, type TopOptions } from './top';
import { lsblk, procPartitions, type GuestDisk } from './block-list';
import { DOM0_TOOLS, type Dom0ToolName } from './dom0-tools';
import { XENSTORE_TOOLS, type XenstoreToolName } from './xenstore-tools';
import { df, type RootFilesystem } from './df';
import { blkid } from './blkid';
import { stty, type Winsize } from './stty';
import { panicLines } from './kernel-panic';

export type ShellEffect =
  | { kind: 'none' }
  | { kind: 'sleep'; ns: number }
  | { kind: 'shutdown'; how: 'poweroff' | 'reboot' | 'halt' }
  | { kind: 'crash' }
  | { kind: 'exit' }
  /** xenstore-read / -write / -ls / -rm / -list / -exists over the guest's xenbus connection (./xenstore-tools.ts). */
  | { kind: 'xenstore'; tool: XenstoreToolName; args: string[] }
  /** Xen's tools in Domain 0 (xl, xentop), run by the host's runner (./dom0-tools.ts). */
  | { kind: 'dom0-tool'; tool: Dom0ToolName; args: string[] }
  | { kind: 'stress'; plan: StressPlan }
  | { kind: 'top'; opts: TopOptions }
  /** kexec -l: a kernel staged for kexec -e. */
  | { kind: 'kexec-load'; kernel: string; cmdline: string | undefined }
  | { kind: 'kexec-unload' }
  /** stty rows / cols: the tty's new window size. */
  | { kind: 'winsize'; size: Winsize }
  /** kexec -e: jump into the staged kernel (on Xen: SHUTDOWN_soft_reset). */
  | { kind: 'kexec-exec' }
  /** Output produced as fast as the console takes it: `next(max)` gives up to about `max` characters, undefined when done. */
  | { kind: 'flood'; next: (max: number) => string | undefined };

export interface ShellResult {
  output: string;
  effect: ShellEffect;
  /** The exit status `$?` reads next (0 when absent; an effect that runs on sets its own). */
  status?: number;
}

export interface ShellContext {
  hw: GuestHardware;
  /** Simulated host time, ns. */
  nowNs: number;
  /** ns since the kernel started (printk's clock). */
  uptimeNs: number;
  /** Kernel messages so far, timestamped. */
  dmesg: readonly string[];
  /** PID the command runs as (the shell forks for each). */
  pid: number;
  /** PID of the login shell. */
  shellPid: number;
  /** The kernel's task list (ps). */
  tasks: readonly Task[];
  /** A kernel is staged by kexec -l. */
  kexecLoaded: boolean;
  /** The three load averages. */
  load: [number, number, number];
  /** The PV disks blkfront connected. */
  disks?: readonly GuestDisk[];
  /** The last command's exit status (`$?`). */
  status?: number;
  /** The tty's window size (stty). */
  winsize?: Winsize;
  /** Domain-0's root filesystem on the host's disk (df). */
  rootFs?: RootFilesystem;
}

const NONE: ShellEffect = { kind: 'none' };
const out = (output: string, effect: ShellEffect = NONE): ShellResult => ({ output, effect });
const failed = (output: string, status = 1): ShellResult => ({ output, effect: NONE, status });

/** Words of a command line: whitespace-separated; '…' and "…" quote, also inside a word (--append="a b"). */
export function words(line: string): string[] {
  const w: string[] = [];
  let cur: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === '"' || ch === "'") {
      const end = line.indexOf(ch, i + 1);
      const stop = end < 0 ? line.length : end;
      cur = (cur ?? '') + line.slice(i + 1, stop);
      i = stop;
    } else if (/\s/.test(ch)) {
      if (cur !== undefined) w.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + ch;
  }
  if (cur !== undefined) w.push(cur);
  return w;
}

/** `yes`: the same line forever. */
function repeat(line: string): (max: number) => string {
  return (max) => line.repeat(Math.max(1, Math.floor(max / line.length)));
}

/** A seq format around its one %g / %d. */
function splitFormat(format: string): [string, string] {
  const m = /%[gd]/.exec(format);
  return m ? [format.slice(0, m.index), format.slice(m.index + 2)] : [format, ''];
}

/** `seq FIRST LAST`: one number a line (as `fmt` formats it), then done. */
function counter(first: number, last: number, fmt: (n: number) => string, sep: string): (max: number) => string | undefined {
  let n = first;
  return (max) => {
    if (n > last) return undefined;
    const parts: string[] = [];
    let size = 0;
    while (n <= last && size < max) {
      const l = `${fmt(n)}${n === last ? '\n' : sep}`;
      n++;
      parts.push(l);
      size += l.length;
    }
    return parts.join('');
  };
}

const FILES: Record<string, (c: ShellContext) => string> = {
  '/proc/cpuinfo': (c) => cpuinfo(c.hw),
  '/proc/meminfo': (c) => meminfo(c.hw),
  '/proc/version': (c) => procVersion(c.hw),
  '/proc/loadavg': (c) => `${c.load.map((l) => l.toFixed(2)).join(' ')} ${c.tasks.filter((t) => t.state === 'R').length}/${c.tasks.length} ${c.pid}\n`,
  '/proc/kallsyms': () => kallsyms(),
  '/proc/partitions': (c) => procPartitions(c.disks ?? []),
  '/boot/System.map': () => kallsyms(),
  '/sys/kernel/kexec_loaded': (c) => (c.kexecLoaded ? '1\n' : '0\n'),
  '/proc/uptime': (c) => `${(c.uptimeNs / 1e9).toFixed(2)} ${((c.uptimeNs / 1e9) * c.hw.vcpus * 0.98).toFixed(2)}\n`,
  '/proc/xen/capabilities': (c) => (c.hw.domid === 0 ? 'control_d\n' : ''),
  '/sys/hypervisor/type': () => 'xen\n',
  '/sys/hypervisor/uuid': (c) => `${c.hw.uuid}\n`,
  '/etc/hostname': (c) => `${c.hw.name}\n`,
  '/etc/os-release': () => `PRETTY_NAME="${OS_NAME} (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n`,
};

const HELP = ['blkid', 'cat', 'clear', 'date', 'df', 'dmesg', 'echo', 'exit', 'free', 'halt', 'help', 'hostname', 'id', 'kexec', 'ls', 'lsblk', 'poweroff', 'ps', 'pwd', 'reboot', 'seq', 'sleep', 'stress', 'stty', 'top', 'true', 'false', 'uname', 'uptime', 'whoami', 'xenstore-exists', 'xenstore-list', 'xenstore-ls', 'xenstore-read', 'xenstore-rm', 'xenstore-write', 'yes'];

function ps(c: ShellContext): string {
  const rows = c.tasks.map((t) => `${String(t.pid).padStart(5)} root ${busyboxTime(t.cpuNs).padStart(9)} ${t.cmdline}`);
  return `PID   USER     TIME  COMMAND\n${rows.join('\n')}\n`;
}

/** BusyBox ps's TIME: minutes:seconds of CPU. */
function busyboxTime(ns: number): string {
  const s = Math.floor(ns / 1e9);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function uname(args: string[], hw: GuestHardware): ShellResult {
  const flags = args.join('').replace(/-/g, '');
  if (flags === '' || flags === 's') return out('Linux\n');
  if (flags.includes('a')) return out(`${unameAll(hw)}\n`);
  const parts: string[] = [];
  for (const f of flags) {
    if (f === 's') parts.push('Linux');
    else if (f === 'n') parts.push(hw.name);
    else if (f === 'r') parts.push(kernelRelease(hw.type));
    else if (f === 'm' || f === 'p' || f === 'i') parts.push('x86_64');
    else if (f === 'o') parts.push('GNU/Linux');
    else return out(`uname: invalid option -- '${f}'\n`);
  }
  return out(`${parts.join(' ')}\n`);
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** Run one command line. */
export function runCommand(line: string, c: ShellContext): ShellResult {
  // ash expands $? (the last status) inside a word too: echo "rc=$?"
  let argv = words(line).map((w) => (w.includes('$?') ? w.replaceAll('$?', String(c.status ?? 0)) : w));
  let redirect: string | undefined;
  const gt = argv.indexOf('>');
  if (gt >= 0) {
    redirect = argv[gt + 1];
    argv = argv.slice(0, gt);
  } else {
    const glued = argv.findIndex((a) => a.startsWith('>') && a.length > 1);
    if (glued >= 0) {
      redirect = argv[glued]!.slice(1);
      argv = argv.slice(0, glued);
    }
  }
  const [cmd, ...args] = argv;
  if (cmd === undefined) return out('');
  switch (cmd) {
    case 'uname':
      return uname(args, c.hw);
    case 'uptime':
      return out(uptime(c.nowNs, c.uptimeNs, c.load));
    case 'cat': {
      if (args.length === 0) return out('');
      return out(
        args
          .map((f) => {
            const gen = FILES[f];
            const disk = /^\/sys\/block\/([a-z]+)\/size$/.exec(f)?.[1];
            const d = disk === undefined ? undefined : c.disks?.find((x) => x.name === disk);
            if (d) return `${d.sectors}\n`;
            return gen ? gen(c) : `cat: can't open '${f}': No such file or directory\n`;
          })
          .join(''),
      );
    }
    case 'free':
      return out(free(c.hw));
    case 'ps':
      return out(ps(c));
    case 'dmesg':
      return out(c.dmesg.length ? `${c.dmesg.join('\n')}\n` : '');
    case 'sleep': {
      const s = Number(args[0]);
      if (args.length !== 1 || !Number.isFinite(s) || s < 0) return out(`sleep: invalid number '${args[0] ?? ''}'\n`);
      return out('', { kind: 'sleep', ns: Math.round(s * 1e9) });
    }
    case 'poweroff':
    case 'reboot':
    case 'halt':
      return out('', { kind: 'shutdown', how: cmd });
    case 'echo': {
      const text = `${args.join(' ')}\n`;
      if (redirect === '/proc/sysrq-trigger') {
        const key = args[0]?.[0];
        if (key === 'c') return out('', { kind: 'crash' });
        if (key === 'b') return out('', { kind: 'shutdown', how: 'reboot' });
        if (key === 'o') return out('', { kind: 'shutdown', how: 'poweroff' });
        return out('');
      }
      if (redirect !== undefined) return out(redirect.startsWith('/proc') || redirect.startsWith('/sys') ? `-sh: can't create ${redirect}: Permission denied\n` : '');
      return out(text);
    }
    case 'exit':
    case 'logout':
      return out('', { kind: 'exit' });
    case 'yes':
      return out('', { kind: 'flood', next: repeat(`${args.length ? args.join(' ') : 'y'}\n`) });
    case 'seq': {
      // GNU seq's -f FORMAT (%g, %d: the number) and -s SEPARATOR, BusyBox's -w.
      let format = '%g';
      let sep = '\n';
      let width = false;
      const rest: string[] = [];
      for (let i = 0; i < args.length; i++) {
        if (args[i] === '-f' && i + 1 < args.length) format = args[++i]!;
        else if (args[i] === '-s' && i + 1 < args.length) sep = args[++i]!;
        else if (args[i] === '-w') width = true;
        else rest.push(args[i]!);
      }
      const nums = rest.map(Number);
      if (nums.length < 1 || nums.length > 2 || nums.some((n) => !Number.isInteger(n))) return out(`seq: invalid argument '${rest.join(' ')}'\n`);
      const [first, last] = nums.length === 2 ? [nums[0]!, nums[1]!] : [1, nums[0]!];
      const w = width ? String(last).length : 0;
      const [pre, post] = splitFormat(format);
      const fmt = w > 0 ? (n: number): string => pre + String(n).padStart(w, '0') + post : (n: number): string => pre + n + post;
      return out('', { kind: 'flood', next: counter(first, last, fmt, sep) });
    }
    case 'xenstore-read':
    case 'xenstore-write':
    case 'xenstore-ls':
    case 'xenstore-rm':
    case 'xenstore-list':
    case 'xenstore-exists': {
      const tool = cmd.slice('xenstore-'.length) as XenstoreToolName;
      return XENSTORE_TOOLS.includes(tool) ? out('', { kind: 'xenstore', tool, args }) : failed(`-sh: ${cmd}: not found\n`, 127);
    }
    case 'df':
      return df(args, c.disks ?? [], c.hw, c.rootFs);
    case 'stty': {
      const r = stty(args, c.winsize ?? { rows: 0, cols: 0 });
      return r.set ? out('', { kind: 'winsize', size: r.set }) : r;
    }
    case 'stress': {
      const plan = parseStress(args);
      return typeof plan === 'string' ? out(plan) : out('', { kind: 'stress', plan });
    }
    case 'top': {
      const opts = parseTop([...args]);
      return typeof opts === 'string' ? out(opts) : out('', { kind: 'top', opts });
    }
    case 'kexec':
      return kexec(args, c);
    case 'lsblk':
      return out(lsblk(c.disks ?? []));
    case 'blkid':
      return blkid(args, c.disks ?? []);
    case 'hostname':
      return out(`${c.hw.name}\n`);
    case 'whoami':
      return out('root\n');
    case 'id':
      return out('uid=0(root) gid=0(root) groups=0(root)\n');
    case 'pwd':
      return out('/root\n');
    case 'ls':
      return out(args[0] === '/' ? 'bin   boot  dev   etc   home  lib   media mnt   opt   proc  root  run   sbin  srv   sys   tmp   usr   var\n' : '');
    case 'date': {
      const t = Math.floor(c.nowNs / 1e9);
      return out(`Thu Jan  1 ${two(Math.floor(t / 3600) % 24)}:${two(Math.floor(t / 60) % 60)}:${two(t % 60)} UTC 1970\n`);
    }
    case 'clear':
      return out('\x1b[H\x1b[J');
    case 'true':
    case ':':
      return out('');
    case 'false':
      return failed('');
    case 'xl':
    case 'xentop':
      // xen-utils is installed in Domain 0 only: a domU has no xl (and no privcmd to run it with)
      if (c.hw.domid === 0 && (DOM0_TOOLS as readonly string[]).includes(cmd)) return out('', { kind: 'dom0-tool', tool: cmd, args });
      return failed(`-sh: ${cmd}: not found\n`, 127);
    case 'help':
      return out(`Built-in commands:\n------------------\n\t${HELP.join(' ')}\n`);
    default:
      return failed(`-sh: ${cmd}: not found\n`, 127);
  }
}

/**
 * kexec-tools' kexec: -l KERNEL [--initrd=F] [--append=S | --command-line=S |
 * --reuse-cmdline] stages a kernel, -u unstages it, -e jumps into it ("Nothing has been
 * loaded!" when nothing is staged). A Xen PV guest cannot kexec itself (its kernel runs
 * in a PV address space the new kernel could not take over; Linux refuses kexec_load),
 * HVM and PVH guests can: their jump ends in SCHEDOP_shutdown(SHUTDOWN_soft_reset),
 * and the toolstack's on_soft_reset decides what happens (xl.cfg(5)).
 */
function kexec(args: string[], c: ShellContext): ShellResult {
  let load: string | undefined;
  let cmdline: string | undefined;
  let mode: 'load' | 'exec' | 'unload' | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e' || a === '--exec') mode = 'exec';
    else if (a === '-u' || a === '--unload') mode = 'unload';
    else if (a === '-l' || a === '--load') {
      mode = 'load';
      load = args[++i];
    } else if (a.startsWith('--append=') || a.startsWith('--command-line=')) cmdline = a.slice(a.indexOf('=') + 1);
    else if (a === '--reuse-cmdline') cmdline = c.hw.cmdline;
    else if (a.startsWith('--initrd=') || a.startsWith('--ramdisk=')) continue;
    else if (mode === undefined && !a.startsWith('-')) {
      mode = 'load';
      load = a;
    } else return out(`kexec: unrecognized option '${a}'\n`);
  }
  if (mode === 'exec') return c.kexecLoaded ? out('', { kind: 'kexec-exec' }) : out('Nothing has been loaded!\n');
  if (mode === 'unload') return out('', { kind: 'kexec-unload' });
  if (mode === 'load') {
    if (load === undefined) return out("kexec: option requires an argument -- 'l'\n");
    if (!/^\/boot\/vmlinuz/.test(load)) return out(`Cannot open \`${load}': No such file or directory\n`);
    if (c.hw.type === 'pv') return out('kexec_load failed: Operation not supported\n');
    return out('', { kind: 'kexec-load', kernel: load, cmdline });
  }
  return out('Usage: kexec [OPTION]... [kernel]\n  -l, --load    Load the new kernel into the current kernel.\n  -e, --exec    Execute a currently loaded kernel.\n  -u, --unload  Unload the current kexec target kernel.\n');
}

/** What the kernel prints for the magic SysRq crash, up to the point Xen takes over. */
export function crashLines(uptimeNs: number, hw: GuestHardware, pid: number): string[] {
  const t = printkTime(uptimeNs);
  return [
    `${t} sysrq: Trigger a crash`,
    ...panicLines(t, hw, {
      reason: 'sysrq triggered crash',
      pid,
      comm: 'sh',
      frames: ['sysrq_handle_crash+0x16/0x20', '__handle_sysrq.cold+0x43/0x11b', 'write_sysrq_trigger+0x24/0x40', 'proc_reg_write+0x56/0xa0', 'vfs_write+0xcc/0x3f0', 'ksys_write+0x6f/0xf0', 'do_syscall_64+0x55/0xb0', 'entry_SYSCALL_64_after_hwframe+0x6e/0xd8'],
    }),
  ];
}
