/**
 * The part of curses a full-screen tool in Domain-0's shell draws with: stdscr as a grid
 * of cells (a character and its attributes), the cursor, waddch's rules, and refresh()
 * turning the grid into the terminal's escape sequences.
 *
 * waddch (ncurses lib_addch.c): a character goes under the cursor, which moves right and
 * wraps to the next line at the right margin; '\n' clears to the end of the line
 * (wclrtoeol) and goes to the start of the next; on the last line, with scrollok off
 * (curses' default), nothing scrolls: the cursor stays there and the character is lost
 * (ERR). erase() blanks the grid and homes the cursor.
 *
 * The terminal is XenDeck's console, an xterm (xterm.js), so the sequences are
 * terminfo's xterm entry: smcup/rmcup (the alternate screen, so the shell's screen comes
 * back at endwin), smkx/rmkx (keypad: arrows arrive as SS3 sequences), cup to place each
 * line, sgr0/rev/bold/setab for the attributes, el to clear what is left of a line.
 * curses sends only what changed since the last refresh; this one repaints every line
 * (a screen of 24 lines is a few KiB every delay seconds).
 */

export const A_NORMAL = 0;
export const A_REVERSE = 1;
export const A_BOLD = 2;
/** COLOR_PAIR(1): xentop's init_pair(1, -1, COLOR_YELLOW), the default colour on yellow. */
export const COLOR_PAIR_1 = 4;

/** terminfo xterm: smcup, smkx and clear — what initscr() and the first refresh send. */
export const INITSCR = '\x1b[?1049h\x1b[?1h\x1b=\x1b[H\x1b[2J';
/** terminfo xterm: sgr0, rmkx, rmcup — what endwin() sends. */
export const ENDWIN = '\x1b[0m\x1b[?1l\x1b>\x1b[?1049l';

/** ncurses' fallback when the tty reports no size (TIOCGWINSZ 0×0): terminfo xterm's lines#24, cols#80. */
export const DEFAULT_LINES = 24;
export const DEFAULT_COLS = 80;

/**
 * The most cells stdscr may have here. newterm() fails when it cannot allocate the
 * screen, and initscr() then prints "Error opening terminal: TERM." and exits 1 (ncurses
 * lib_initscr.c). This window keeps each cell as values in the engine's own process, so a
 * size such as `stty rows 65535 cols 65535` (4 Gi cells) would exhaust the process that
 * runs every host instead of failing one tool: it fails as newterm does. 4 Mi cells is
 * far above what a person reads (a 4K display in a 6-pixel font is about 640 x 216).
 */
export const MAX_SCREEN_CELLS = 4 << 20;

/** initscr()'s LINES and COLS for a tty's TIOCGWINSZ (0: terminfo's), or undefined when newterm would fail. */
export function screenSize(rows: number, cols: number): { lines: number; cols: number } | undefined {
  const lines = rows > 0 ? rows : DEFAULT_LINES;
  const c = cols > 0 ? cols : DEFAULT_COLS;
  return lines * c <= MAX_SCREEN_CELLS ? { lines, cols: c } : undefined;
}

function sgr(attr: number): string {
  let s = '\x1b[0';
  if (attr & A_BOLD) s += ';1';
  if (attr & A_REVERSE) s += ';7';
  if (attr & COLOR_PAIR_1) s += ';43';
  return `${s}m`;
}

export class CursesWindow {
  private readonly chars: string[][];
  private readonly attrs: number[][];
  private y = 0;
  private x = 0;
  private attr = A_NORMAL;

  constructor(
    readonly lines: number,
    readonly cols: number,
  ) {
    this.chars = Array.from({ length: lines }, () => new Array<string>(cols).fill(' '));
    this.attrs = Array.from({ length: lines }, () => new Array<number>(cols).fill(A_NORMAL));
  }

  /** getyx's row. */
  get row(): number {
    return this.y;
  }

  erase(): void {
    for (let r = 0; r < this.lines; r++) this.clearFrom(r, 0);
    this.y = 0;
    this.x = 0;
  }

  move(y: number, x: number): void {
    this.y = Math.max(0, Math.min(this.lines - 1, y));
    this.x = Math.max(0, Math.min(this.cols - 1, x));
  }

  attron(a: number): void {
    this.attr |= a;
  }

  attroff(a: number): void {
    this.attr &= ~a;
  }

  addstr(s: string, attr = this.attr): void {
    for (const ch of s) this.addch(ch, attr);
  }

  /** waddch with the given attributes (addch(A_REVERSE | 'D')). */
  addch(ch: string, attr = this.attr): void {
    if (ch === '\n') {
      this.clearFrom(this.y, this.x);
      this.x = 0;
      if (this.y < this.lines - 1) this.y++;
      return;
    }
    this.chars[this.y]![this.x] = ch;
    this.attrs[this.y]![this.x] = attr;
    if (this.x < this.cols - 1) this.x++;
    else if (this.y < this.lines - 1) {
      this.x = 0;
      this.y++;
    }
  }

  /** The whole screen as escape sequences (refresh with every line repainted). */
  render(): string {
    let out = '';
    for (let r = 0; r < this.lines; r++) {
      const chars = this.chars[r]!;
      const attrs = this.attrs[r]!;
      let end = this.cols;
      while (end > 0 && chars[end - 1] === ' ' && attrs[end - 1] === A_NORMAL) end--;
      out += `\x1b[${r + 1};1H`;
      let cur = -1;
      for (let c = 0; c < end; c++) {
        if (attrs[c] !== cur) {
          cur = attrs[c]!;
          out += sgr(cur);
        }
        out += chars[c];
      }
      out += `${sgr(A_NORMAL)}${end < this.cols ? '\x1b[K' : ''}`;
    }
    return `${out}\x1b[${this.y + 1};${this.x + 1}H`;
  }

  /** The screen's text, a line a row, trailing blanks dropped (what a person reads off it). */
  text(): string[] {
    return this.chars.map((l) => l.join('').trimEnd());
  }

  private clearFrom(r: number, c: number): void {
    this.chars[r]!.fill(' ', c);
    this.attrs[r]!.fill(A_NORMAL, c);
  }
}
