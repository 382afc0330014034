/**
 * `xl console [-t pv|serial|vuart] [-n N] Domain`: main_console() of tools/xl/xl_console.c,
 * which hands the terminal to xenconsole — the domain's output on stdout, keystrokes to
 * its input ring, Ctrl-] (0x1d) to detach. Over a running XenDeck the console comes from
 * its console service. A lab has no running clock or console service, so there it says so.
 * With stdin not a terminal (piped), the input is sent as it comes; when it ends, xl
 * waits a moment for the answer and detaches (a script's `xl console` does not hang).
 */
import type { XlCommand } from '../context';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';

const CTRL_RIGHT_BRACKET = '\x1d';
/** After piped input ends: how long the answer may take, then detach. */
const PIPE_DRAIN_MS = 1500;

interface InputStream {
  isTTY?: boolean;
  setRawMode?(on: boolean): void;
  setEncoding?(enc: string): void;
  on(ev: 'data', fn: (d: string | Buffer) => void): void;
  on(ev: 'end', fn: () => void): void;
  off?(ev: string, fn: (...a: never[]) => void): void;
  pause?(): void;
  resume?(): void;
}

export const consoleCommand: XlCommand = async (ctx, args) => {
  const { opts, operands } = xlGetopt(ctx.io, 'console', args, 't:n:', [], 1);
  for (const o of opts) {
    if (o.opt === 't' && !['pv', 'serial', 'vuart'].includes(o.arg ?? '')) {
      ctx.err(`console type must be "pv", "serial" or "vuart"\n`);
      return 2;
    }
    if (o.opt === 'n' && o.arg !== '0') {
      ctx.err(`xl console -n ${o.arg}: XenDeck's guests have one console (number 0)\n`);
      return 1;
    }
  }
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  if (ctx.where() === 'dom0') {
    // xenconsole would take over dom0's tty; XenDeck's Domain-0 shell runs tools that end
    ctx.err(`xl console: not available from Domain-0's shell in XenDeck; open domain ${domid}'s console in the console view, or run \`npx xl console ${operands[0]}\`\n`);
    return 1;
  }
  if (!host.attachConsole) {
    ctx.err('xl console: needs a running XenDeck (npm start or npm run serve); a lab\'s clock only moves while something drives it\n');
    return 1;
  }
  const attach = host.attachConsole.bind(host);
  const stdin = ctx.io.stdin as InputStream;
  return new Promise<number>((resolve) => {
    let done = false;
    let drain: ReturnType<typeof setTimeout> | undefined;
    const finish = (code: number, why?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(drain);
      if (stdin.isTTY) stdin.setRawMode?.(false);
      stdin.pause?.();
      session.detach();
      if (why) ctx.err(`${why}\n`);
      resolve(code);
    };
    const session = attach(domid, (text) => ctx.out(text), (why) => finish(why ? 1 : 0, why));
    if (stdin.isTTY) stdin.setRawMode?.(true);
    stdin.setEncoding?.('utf8');
    stdin.on('data', (d) => {
      const text = typeof d === 'string' ? d : d.toString('utf8');
      const cut = text.indexOf(CTRL_RIGHT_BRACKET);
      const send = cut >= 0 ? text.slice(0, cut) : text;
      if (send) void session.input(send).catch((e: unknown) => finish(1, `xl console: ${e instanceof Error ? e.message : String(e)}`));
      if (cut >= 0) finish(0);
    });
    stdin.on('end', () => {
      drain = setTimeout(() => finish(0), PIPE_DRAIN_MS);
    });
    stdin.resume?.();
  });
};
