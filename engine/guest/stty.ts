/**
 * `stty` for the window size of the console tty, as coreutils' stty does it: `stty size`
 * prints TIOCGWINSZ's "ROWS COLS" (0 0 when nothing set it: a Xen console carries no
 * window size, unlike a pty), `stty rows N` / `cols N` / `columns N` set it
 * (TIOCSWINSZ), so full-screen programs (xentop) draw to the terminal's real size — the
 * usual step on a serial or Xen console. The other settings are not modelled: they
 * fail with a clear message instead of being ignored.
 */
import type { ShellResult } from './shell';

export interface Winsize {
  rows: number;
  cols: number;
}

/** stty's output and status, and the window size it sets (undefined: unchanged). */
export function stty(args: readonly string[], ws: Winsize): ShellResult & { set?: Winsize } {
  const fail = (output: string): ShellResult => ({ output, effect: { kind: 'none' }, status: 1 });
  if (args.length === 1 && args[0] === 'size') return { output: `${ws.rows} ${ws.cols}\n`, effect: { kind: 'none' } };
  if (args.length === 0) return fail('stty: printing the terminal settings is not implemented in XenDeck (stty size, stty rows N cols M are)\n');
  const next = { ...ws };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a !== 'rows' && a !== 'cols' && a !== 'columns') return fail(`stty: '${a}': only the window size (rows, cols) is modelled in XenDeck\n`);
    const v = args[++i];
    if (v === undefined) return fail(`stty: missing argument to '${a}'\n`);
    // coreutils' integer_arg: a decimal up to USHRT_MAX (struct winsize's fields)
    if (!/^\d+$/.test(v) || Number(v) > 65535) return fail(`stty: invalid integer argument: '${v}'\n`);
    if (a === 'rows') next.rows = Number(v);
    else next.cols = Number(v);
  }
  return { output: '', effect: { kind: 'none' }, set: next };
}
