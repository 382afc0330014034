/**
 * Per-command option parsing as xl does it: def_getopt() and SWITCH_FOREACH_OPT of
 * tools/xl/xl_utils.{c,h} over glibc getopt_long. So:
 *   - options and operands may be mixed (GNU getopt permutes), "--" ends the options;
 *   - short options cluster ("-lv"), "f:" takes an argument ("-fX" or "-f X");
 *   - long options may be abbreviated to a unique prefix and take "--opt=X" or "--opt X";
 *   - -h / --help print the command's help on stdout and exit 0;
 *   - an unknown option (or a missing argument) is "option `%c' not supported." exit 2;
 *   - too few operands is "'xl %s' requires at least %d argument%s." plus help, exit 2.
 */
import { helpText } from './help';
import { XlExit, type CliIo } from './io';

export interface LongOption {
  name: string;
  hasArg: boolean;
  /** The short option it stands for. */
  val: string;
}

export interface ParsedOptions {
  /** Options in the order given, each as its short letter. */
  opts: { opt: string; arg?: string }[];
  operands: string[];
}

/** `optstring` without the implicit leading "h" (added here, as SWITCH_FOREACH_OPT does). */
export function xlGetopt(
  io: CliIo,
  command: string,
  args: readonly string[],
  optstring: string,
  longopts: readonly LongOption[],
  reqargs: number,
): ParsedOptions {
  const spec = parseOptstring(`h${optstring}`);
  const longs: LongOption[] = [...longopts, { name: 'help', hasArg: false, val: 'h' }];
  const opts: ParsedOptions['opts'] = [];
  const operands: string[] = [];
  const notSupported = (what: string): never => {
    io.stderr.write(`option \`${what}' not supported.\n`);
    throw new XlExit(2);
  };
  const help = (): never => {
    io.stdout.write(helpText(command));
    throw new XlExit(0);
  };

  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = splitOnce(a.slice(2), '=');
      const exact = longs.find((l) => l.name === name);
      const prefixed = longs.filter((l) => l.name.startsWith(name));
      const l = exact ?? (prefixed.length === 1 ? prefixed[0] : undefined);
      if (!l) notSupported(a);
      const lo = l!;
      if (lo.val === 'h') help();
      if (lo.hasArg) {
        const arg = inline ?? args[++i];
        if (arg === undefined) notSupported(lo.val);
        opts.push({ opt: lo.val, arg: arg! });
      } else {
        if (inline !== undefined) notSupported(lo.val);
        opts.push({ opt: lo.val });
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const takesArg = spec.get(c);
        if (takesArg === undefined) notSupported(c);
        if (c === 'h') help();
        if (takesArg) {
          const arg = j + 1 < a.length ? a.slice(j + 1) : args[++i];
          if (arg === undefined) notSupported(c);
          opts.push({ opt: c, arg: arg! });
          break;
        }
        opts.push({ opt: c });
      }
      continue;
    }
    operands.push(a);
  }

  if (operands.length < reqargs) {
    io.stderr.write(`'xl ${command}' requires at least ${reqargs} argument${reqargs > 1 ? 's' : ''}.\n\n`);
    io.stdout.write(helpText(command));
    throw new XlExit(2);
  }
  return { opts, operands };
}

/** "AFVcdef:inpq" → letter → takes an argument. */
function parseOptstring(s: string): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const takesArg = s[i + 1] === ':';
    m.set(c, takesArg);
    if (takesArg) i++;
  }
  return m;
}

function splitOnce(s: string, sep: string): [string, string | undefined] {
  const k = s.indexOf(sep);
  return k < 0 ? [s, undefined] : [s.slice(0, k), s.slice(k + 1)];
}
