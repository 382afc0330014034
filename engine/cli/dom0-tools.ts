/**
 * Xen's tools in the Domain 0 of an embedded host (engine/guest/dom0-tools.ts): XenDeck's
 * own `xl` (./xl.ts, the same command table, formats, messages and exit statuses as
 * `npx xl`) and `xentop` (./xentop.ts), run in this process against that host — the
 * same EmbeddedHost the api router serves, so what xl changes reaches the GUI as any
 * toolstack operation does. Dom0's filesystem is the lab folder (as for disk targets,
 * ../toolstack/block-devices.ts): `xl create /etc/xen/web1.cfg` reads
 * <lab>/etc/xen/web1.cfg, and a relative path is taken from root's home, /root.
 */
import { mkdirSync, statfsSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Dom0Statfs, Dom0ToolName, Dom0ToolIo, Dom0Tools } from '../guest/dom0-tools';
import { setMaxMemory, setVcpuAffinity } from '../toolstack/domain-tuning';
import type { EmbeddedHost, KeptConfig } from '../toolstack/embedded-host';
import type { DomainRef } from '../toolstack/host-api';
import { ToolstackError } from '../toolstack/toolstack-error';
import type { XlHost } from './xl/context';
import { runXl } from './xl';
import { runXentop } from './xentop';

/** root's working directory in dom0's shell (its `pwd`). */
const DOM0_CWD = '/root';

/** What xl asks of a host beyond the toolstack façade, for an embedded one in process. */
interface Dom0XlExtras {
  keptConfig(ref: DomainRef): Promise<Readonly<KeptConfig> | undefined>;
  setVcpuAffinity(ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void>;
  setMaxMemory(ref: DomainRef, maxKiB: number): Promise<void>;
}

/**
 * The host as xl sees it: every call goes to the embedded host itself (bound to it, so
 * its own state is what changes), plus the extras the lab's LabHost adds. Never closed
 * by xl: the host outlives the run.
 */
export function inProcessXlHost(host: EmbeddedHost): XlHost {
  const extras: Dom0XlExtras = {
    keptConfig: async (ref) => host.configOf(ref),
    setVcpuAffinity: async (ref, vcpu, hard, soft) => setVcpuAffinity(host, ref, vcpu, hard, soft),
    setMaxMemory: async (ref, maxKiB) => setMaxMemory(host, ref, maxKiB),
  };
  const view = new Proxy(host, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in extras) return extras[prop as keyof Dom0XlExtras];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return view as EmbeddedHost & Dom0XlExtras;
}

/** Dom0's path → the file in the lab folder (posix.resolve drops any `..` above /). */
export function dom0File(labDir: string | undefined, path: string): string {
  if (labDir === undefined) throw new ToolstackError('ENOENT', `${path}: this host keeps no lab folder, so its Domain 0 has no files`, 'run XenDeck with a lab folder (npm run serve -- --lab DIR)');
  return join(labDir, posix.resolve(DOM0_CWD, path));
}

/**
 * statfs(2) of the lab folder's filesystem, as df computes from it: size f_blocks, used
 * f_blocks - f_bfree, available f_bavail (less the blocks reserved for root), KiB.
 */
export function labStatfs(labDir: string): Dom0Statfs | undefined {
  try {
    const s = statfsSync(labDir);
    const kib = (blocks: number): number => Math.floor((blocks * s.bsize) / 1024);
    return { sizeKiB: kib(s.blocks), usedKiB: kib(s.blocks - s.bfree), availKiB: kib(s.bavail) };
  } catch {
    return undefined;
  }
}

/**
 * `xl [-v -f -t -T...] top [ARG...]` (xl.c's getopt "+vftNT", then the command). With -N,
 * xl.c's main refuses a command that cannot dry-run before running it (runXl says so);
 * main_top's SWITCH_FOREACH_OPT("", ..., 0) takes no option and requires no argument,
 * so what follows `top` is ignored unless it is an option.
 */
function isXlTop(args: readonly string[]): boolean {
  let i = 0;
  while (i < args.length && /^-[vftT]+$/.test(args[i]!)) i++;
  return args[i] === 'top' && args.slice(i + 1).every((a) => !a.startsWith('-'));
}

export function dom0Tools(host: EmbeddedHost, labDir: string | undefined): Dom0Tools {
  const xlHost = inProcessXlHost(host);
  return {
    rootFilesystem: () => (labDir === undefined ? undefined : labStatfs(labDir)),
    run: (tool: Dom0ToolName, args: string[], io: Dom0ToolIo): Promise<number> => {
      // root's home is there on a dom0 (the shell's working directory): `xl save web1 web1.save` lands in it
      if (labDir !== undefined) mkdirSync(dom0File(labDir, DOM0_CWD), { recursive: true });
      const xentop = (argv: string[]): Promise<number> => runXentop(argv, host, { out: io.out, err: io.err, signal: io.signal, ...(io.tty ? { tty: io.tty } : {}) });
      if (tool === 'xentop') return xentop(args);
      // xl's main_top is `return system("xentop")`: xl's exit status is the low byte of the
      // wait status, so 0 whatever xentop's exit code (a ^C ends xentop, not xl: system()
      // ignores SIGINT while it waits)
      if (isXlTop(args)) return xentop([]).then((status) => (status << 8) & 0xff);
      return runXl(
        args,
        { stdin: undefined, stdout: { write: io.out }, stderr: { write: io.err }, env: {} },
        { host: xlHost, cwd: DOM0_CWD, file: (p) => dom0File(labDir, p), signal: io.signal },
      );
    },
  };
}
