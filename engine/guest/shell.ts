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

export type ShellEffect =
  | { kind: 'none' }
  | { kind: 'sleep'; ns: number }
  | { kind: 'shutdown'; how: 'poweroff' | 'reboot' | 'halt' }
  | { kind: 'crash' }
  | { kind: 'exit' }
  /** Output produced as fast as the console takes it: `next(max)` gives up to about `max` characters, undefined when done. */
  | { kind: 'flood'; next: (max: number) => string | undefined };

export interface ShellResult {
  output: string;
  effect: ShellEffect;
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
}

const NONE: ShellEffect = { kind: 'none' };
const out = (output: string, effect: ShellEffect = NONE): ShellResult => ({ output, effect });

/** Words of a command line: whitespace-separated, with '…' and "…" quoting. */
export function words(line: string): string[] {
  const w: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) w.push(m[1] ?? m[2] ?? m[3] ?? '');
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
  '/proc/uptime': (c) => `${(c.uptimeNs / 1e9).toFixed(2)} ${((c.uptimeNs / 1e9) * c.hw.vcpus * 0.98).toFixed(2)}\n`,
  '/proc/xen/capabilities': (c) => (c.hw.domid === 0 ? 'control_d\n' : ''),
  '/sys/hypervisor/type': () => 'xen\n',
  '/sys/hypervisor/uuid': (c) => `${c.hw.uuid}\n`,
  '/etc/hostname': (c) => `${c.hw.name}\n`,
  '/etc/os-release': () => `PRETTY_NAME="${OS_NAME} (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n`,
};

const HELP = ['cat', 'clear', 'date', 'dmesg', 'echo', 'exit', 'free', 'halt', 'help', 'hostname', 'id', 'ls', 'poweroff', 'ps', 'pwd', 'reboot', 'seq', 'sleep', 'true', 'false', 'uname', 'uptime', 'whoami', 'yes'];

function ps(c: ShellContext): string {
  const rows: [number, string][] = [
    [1, 'init'],
    [2, '[kthreadd]'],
    [3, '[rcu_gp]'],
    [11, '[rcu_preempt]'],
  ];
  for (let i = 0; i < Math.min(c.hw.vcpus, 16); i++) rows.push([12 + i * 6, `[ksoftirqd/${i}]`]);
  rows.push([120, '[xenbus]'], [121, '[xenwatch]'], [122, '[xenbus_frontend]'], [179, '/sbin/syslogd -n'], [180, '/sbin/klogd -n'], [c.shellPid, '-sh'], [c.pid, 'ps']);
  return `PID   USER     TIME  COMMAND\n${rows.map(([p, cmd]) => `${String(p).padStart(5)} root      0:00 ${cmd}`).join('\n')}\n`;
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
  let argv = words(line);
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
    case 'uptime': {
      const load = 0;
      return out(uptime(c.nowNs, c.uptimeNs, load));
    }
    case 'cat': {
      if (args.length === 0) return out('');
      return out(
        args
          .map((f) => {
            const gen = FILES[f];
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
      return out('');
    case 'help':
      return out(`Built-in commands:\n------------------\n\t${HELP.join(' ')}\n`);
    default:
      return out(`-sh: ${cmd}: not found\n`);
  }
}

/** What the kernel prints for the magic SysRq crash, up to the point Xen takes over. */
export function crashLines(uptimeNs: number, hw: GuestHardware, pid: number): string[] {
  const t = printkTime(uptimeNs);
  return [
    `${t} sysrq: Trigger a crash`,
    `${t} Kernel panic - not syncing: sysrq triggered crash`,
    `${t} CPU: 0 PID: ${pid} Comm: sh Not tainted ${kernelRelease(hw.type)} #1  Debian 6.1.140-1`,
    `${t} Hardware name: Xen ${hw.type === 'hvm' ? 'HVM domU' : 'PV'}, BIOS 4.17.0 01/01/2024`,
    `${t} Call Trace:`,
    `${t}  <TASK>`,
    `${t}  dump_stack_lvl+0x44/0x5c`,
    `${t}  panic+0x118/0x2f8`,
    `${t}  sysrq_handle_crash+0x16/0x20`,
    `${t}  __handle_sysrq.cold+0x43/0x11b`,
    `${t}  write_sysrq_trigger+0x24/0x40`,
    `${t}  proc_reg_write+0x56/0xa0`,
    `${t}  vfs_write+0xcc/0x3f0`,
    `${t}  ksys_write+0x6f/0xf0`,
    `${t}  do_syscall_64+0x55/0xb0`,
    `${t}  entry_SYSCALL_64_after_hwframe+0x6e/0xd8`,
    `${t}  </TASK>`,
    `${t} Kernel Offset: disabled`,
  ];
}
