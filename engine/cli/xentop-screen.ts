/**
 * xentop's curses screen (tools/xentop/xentop.c main() without -b, Xen 4.17), on the tty
 * it runs on (Domain-0's console):
 *
 *   initscr(); cbreak(); noecho(); nonl(); keypad(stdscr, TRUE); halfdelay(5);
 *   do {
 *     gettimeofday(&curtime);
 *     if (a key came || curtime.tv_sec - oldtime.tv_sec >= delay) {
 *       erase(); top(); oldtime = curtime; refresh();
 *       if (-i given && !--iterations) break;
 *     }
 *     ch = getch();               // a key, or ERR after half a second
 *   } while (handle_key(ch));     // 0 for q, Q, ESC
 *
 * top() draws the summary (do_summary: "xentop - HH:MM:SS   Xen VERSION", the domains by
 * state, the host's memory and CPUs), the table (./xentop-fields.ts: the heading in
 * reverse video with the sort column bold; no more domains once the cursor is on the
 * last line) and the bottom line (do_bottom_line: the key letters in reverse video, a
 * toggle that is on in COLOR_PAIR(1), or the "Delay(sec): " prompt). Keys (handle_key):
 * n networks, b vbds, v vCPUs, r repeat header, s the next sort field, d the delay prompt
 * (Enter sets a value > 0, ESC drops it), the arrows scroll the first domain shown, ^L
 * repaints, q / ESC quit. Every key also redraws at once. Times are the host's simulated
 * clock (dom0's CLOCK_REALTIME): the screen refreshes each `delay` seconds of it.
 *
 * The screen is the tty's size when one was set on it, else terminfo's 24 × 80 (the Xen
 * console carries no window size; ncurses falls back the same way). ^C: xentop sets no
 * SIGINT handler in this mode, so ncurses' own runs (lib_tstp.c cleanup): endwin(), then
 * exit(EXIT_FAILURE): the shell's screen comes back and `$?` is 1.
 */
import type { Dom0Tty } from '../guest/dom0-tools';
import { A_REVERSE, COLOR_PAIR_1, CursesWindow, ENDWIN, INITSCR, screenSize } from './curses-window';
import { NUM_FIELDS, printDomainTable, type XentopPrinter, type XentopRow } from './xentop-fields';
import { initialView, XentopSampler, type XentopHost, type XentopOptions } from './xentop-sample';

/** halfdelay(5): getch() gives up after five tenths of a second. */
const HALFDELAY_NS = 500_000_000;
const PROMPT_VAL_LEN = 80;

/** What getch() returns: a character, a keypad key, or ERR (undefined) when none came in time. */
type Key = string | 'KEY_UP' | 'KEY_DOWN' | 'KEY_BACKSPACE' | 'KEY_OTHER' | undefined;

const KEY_ESCAPE = '\x1b';
const KEY_REPAINT = '\x0c';

/**
 * getch() with keypad on: terminfo xterm's key sequences (CSI or SS3, as smkx asks)
 * become keys; DEL and BS are kbs; a lone ESC is ESC.
 */
class KeyReader {
  private buf = '';

  constructor(private readonly tty: Dom0Tty) {}

  async getch(): Promise<Key> {
    if (this.buf === '') {
      const typed = await this.tty.read(HALFDELAY_NS);
      if (typed === undefined) return undefined;
      this.buf = typed;
    }
    // ESC [ or ESC O, parameters, a final byte in @..~
    if (this.buf[0] === KEY_ESCAPE && (this.buf[1] === '[' || this.buf[1] === 'O')) {
      let end = 2;
      while (end < this.buf.length && /[0-9;]/.test(this.buf[end]!)) end++;
      const last = this.buf[end];
      if (last !== undefined && last >= '@' && last <= '~') {
        this.buf = this.buf.slice(end + 1);
        return last === 'A' ? 'KEY_UP' : last === 'B' ? 'KEY_DOWN' : 'KEY_OTHER';
      }
    }
    const ch = String.fromCodePoint(this.buf.codePointAt(0)!);
    this.buf = this.buf.slice(ch.length);
    return ch === '\x7f' || ch === '\x08' ? 'KEY_BACKSPACE' : ch;
  }
}

/** atoi() of the prompt's text. */
const atoi = (s: string): number => Number.parseInt(/^\s*[-+]?\d+/.exec(s)?.[0] ?? '0', 10);
const isprint = (ch: string): boolean => ch.length === 1 && ch >= ' ' && ch <= '~';
const two = (n: number): string => String(n).padStart(2, '0');

export async function runXentopScreen(o: XentopOptions, host: XentopHost, io: { out(text: string): void; err(text: string): void; tty: Dom0Tty; signal?: AbortSignal }): Promise<number> {
  const { tty } = io;
  const size = screenSize(tty.rows, tty.cols);
  if (!size) {
    io.err('Error opening terminal: xterm.\n');
    return 1;
  }
  const win = new CursesWindow(size.lines, size.cols);
  const keys = new KeyReader(tty);
  const sampler = new XentopSampler(host);
  const view = initialView(o);
  const xenVersion = (await host.summary()).xenVersion;
  let delay = o.delayS;
  let prompt: { label: string; value: string } | undefined;
  let iterations = o.iterations;
  // oldtime starts at zero, decades before any real clock: the first frame is drawn at once
  let oldSec = Number.NEGATIVE_INFINITY;

  const printer: XentopPrinter = {
    // print(): only while the cursor is not on the last line
    print: (t) => (win.row < win.lines - 1 ? win.addstr(t) : undefined),
    attron: (a) => win.attron(a),
    attroff: (a) => win.attroff(a),
    full: () => win.row === win.lines - 1,
  };

  const top = async (curSec: number): Promise<void> => {
    const { rows, phys } = await sampler.sample(view.showVcpus);
    summary(printer, rows, phys, curSec, xenVersion);
    printDomainTable(printer, rows, phys.totalPages, view);
    bottomLine();
  };

  const bottomLine = (): void => {
    win.move(win.lines - 1, 2);
    if (prompt) return win.addstr(`${prompt.label}: ${prompt.value}`);
    const key = (ch: string): void => win.addch(ch, A_REVERSE);
    const toggle = (on: boolean, s: string): void => win.addstr(s, on ? COLOR_PAIR_1 : 0);
    key('D');
    win.addstr('elay  ');
    key('N');
    toggle(view.showNetworks, 'etworks');
    win.addstr('  ');
    toggle(view.showVbds, 'v');
    key('B');
    toggle(view.showVbds, 'ds');
    win.addstr('  ');
    key('V');
    toggle(view.showVcpus, 'CPUs');
    win.addstr('  ');
    key('R');
    toggle(view.repeatHeader, 'epeat header');
    win.addstr('  ');
    key('S');
    win.addstr('ort order  ');
    key('Q');
    win.addstr('uit  ');
  };

  /** handle_key: false to quit. */
  const handleKey = (ch: Key): boolean => {
    if (ch === undefined) return true;
    if (prompt === undefined) {
      switch (ch) {
        case 'n':
        case 'N':
          view.showNetworks = !view.showNetworks;
          break;
        case 'b':
        case 'B':
          view.showVbds = !view.showVbds;
          break;
        case 'r':
        case 'R':
          view.repeatHeader = !view.repeatHeader;
          break;
        case 's':
        case 'S':
          view.sortField = (view.sortField + 1) % NUM_FIELDS;
          break;
        case 'v':
        case 'V':
          view.showVcpus = !view.showVcpus;
          break;
        case 'KEY_DOWN':
          view.firstDomainIndex++;
          break;
        case 'KEY_UP':
          if (view.firstDomainIndex > 0) view.firstDomainIndex--;
          break;
        case 'd':
        case 'D':
          prompt = { label: 'Delay(sec)', value: '' };
          break;
        case KEY_REPAINT:
          // clear(): the next refresh repaints the whole screen, as every refresh here does
          break;
        case 'q':
        case 'Q':
        case KEY_ESCAPE:
          return false;
        default:
      }
      return true;
    }
    if (ch === '\r') {
      // set_delay: only a value above 0 is taken
      const d = atoi(prompt.value);
      if (d > 0) delay = d;
      prompt = undefined;
    } else if (ch === KEY_ESCAPE) prompt = undefined;
    else if (ch === 'KEY_BACKSPACE') prompt.value = prompt.value.slice(0, -1);
    else if (prompt.value.length + 1 < PROMPT_VAL_LEN && isprint(ch)) prompt.value += ch;
    return true;
  };

  tty.catchSigint(); // ncurses' handler, installed by initscr
  tty.cbreak(true);
  io.out(INITSCR);
  try {
    let ch: Key;
    for (;;) {
      if (io.signal?.aborted) return 1;
      const curSec = Math.floor(tty.nowNs() / 1e9);
      if (ch !== undefined || curSec - oldSec >= delay) {
        win.erase();
        await top(curSec);
        if (io.signal?.aborted) return 1;
        oldSec = curSec;
        io.out(win.render());
        // `!--iterations` on an unsigned count: -i 0 wraps and never stops
        if (iterations !== undefined && iterations > 0 && --iterations === 0) break;
      }
      ch = await keys.getch();
      if (io.signal?.aborted) return 1;
      if (!handleKey(ch)) break;
    }
    return 0;
  } finally {
    io.out(ENDWIN);
    tty.cbreak(false);
  }
}

/** do_summary: the clock, the domains by state, the host's memory and CPUs. */
function summary(p: XentopPrinter, rows: readonly XentopRow[], phys: { totalPages: number; freePages: number; nrCpus: number; cpuKhz: number }, curSec: number, xenVersion: string): void {
  // strftime("%H:%M:%S", localtime()): dom0's time zone is UTC
  p.print(`xentop - ${two(Math.floor(curSec / 3600) % 24)}:${two(Math.floor(curSec / 60) % 60)}:${two(curSec % 60)}   Xen ${xenVersion}\n`);
  const n = { run: 0, block: 0, pause: 0, crash: 0, dying: 0, shutdown: 0 };
  // each domain counted once, under the first of its flags in this order
  for (const { info } of rows) {
    const f = info.flags;
    if (f.running) n.run++;
    else if (f.blocked) n.block++;
    else if (f.paused) n.pause++;
    else if (f.shutdown) n.shutdown++;
    else if (f.crashed) n.crash++;
    else if (f.dying) n.dying++;
  }
  p.print(`${rows.length} domains: ${n.run} running, ${n.block} blocked, ${n.pause} paused, ${n.crash} crashed, ${n.dying} dying, ${n.shutdown} shutdown \n`);
  const totalK = phys.totalPages * 4;
  const freeK = phys.freePages * 4;
  p.print(`Mem: ${totalK}k total, ${totalK - freeK}k used, ${freeK}k free    `);
  p.print(`CPUs: ${phys.nrCpus} @ ${Math.floor(phys.cpuKhz / 1000)}MHz\n`);
}
