import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import { dom0Shell, PROMPT, settle, until, type Dom0Shell } from '../toolstack/dom0-shell';

/**
 * A screen as an xterm shows what it was sent: cup moves the cursor, el / ed clear,
 * SGR is dropped, text lands at the cursor (enough of VT100 to read xentop's frames).
 */
function screenOf(out: string, rows = 24, cols = 80): string[] {
  const grid = Array.from({ length: rows }, () => new Array<string>(cols).fill(' '));
  let y = 0;
  let x = 0;
  for (let i = 0; i < out.length; ) {
    // eslint-disable-next-line no-control-regex -- the escape sequences are what is parsed
    const m = /^\x1b(?:\[([?0-9;]*)([A-Za-z])|([=>]))/.exec(out.slice(i));
    if (m) {
      i += m[0].length;
      const [a, b] = (m[1] ?? '').split(';').map((n) => Number.parseInt(n || '1', 10));
      if (m[2] === 'H') [y, x] = [a! - 1, (b ?? 1) - 1];
      else if (m[2] === 'K') grid[y]!.fill(' ', x);
      else if (m[2] === 'J') for (let r = y; r < rows; r++) grid[r]!.fill(' ', r === y ? x : 0);
      continue;
    }
    const ch = out[i++]!;
    if (ch === '\r') x = 0;
    else if (ch === '\n') y = Math.min(rows - 1, y + 1);
    else if (x < cols) grid[y]![x++] = ch;
  }
  return grid.map((l) => l.join('').trimEnd());
}

const dom0 = (): Promise<Dom0Shell> => dom0Shell();

const frames = (t: string): number => t.split('\x1b[1;1H').length - 1;
/** The last frame in `t` as the xterm shows it. */
const lastScreen = (t: string): string[] => screenOf(t.slice(t.lastIndexOf('\x1b[1;1H')));

/** Type `cmd` at dom0's prompt and wait for its first frame; `out()` is all the tty got since. */
async function startScreen(sh: Dom0Shell, cmd: string): Promise<() => string> {
  const mark = sh.text().length;
  const out = (): string => sh.text().slice(mark);
  sh.type(`${cmd}\r`);
  await until(() => frames(out()) >= 1);
  return out;
}

/** Type a key that ends the screen and wait for the shell's prompt to come back. */
async function endScreen(sh: Dom0Shell, key: string): Promise<void> {
  sh.type(key);
  await until(() => sh.text().endsWith(PROMPT));
}

describe("xentop's curses screen in Domain-0's console", () => {
  it('draws the summary, the reverse-video heading and a row a domain; refreshes after the delay on the host clock; q quits and the prompt returns', async () => {
    const { host, type, text, run } = await dom0();
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n' });
    host.advanceClock(SECONDS(3));
    const mark = text().length;
    type('xentop\r');
    await until(() => text().slice(mark).includes('uit'));
    const out = (): string => text().slice(mark);
    // initscr on an xterm: the alternate screen and keypad mode
    expect(out()).toContain('\x1b[?1049h\x1b[?1h\x1b=');
    const s = lastScreen(out());
    expect(s[0]).toBe('xentop - 00:00:03   Xen 4.17.0-xendeck');
    expect(s[1]).toBe('2 domains: 0 running, 2 blocked, 0 paused, 0 crashed, 0 dying, 0 shutdown');
    expect(s[2]).toMatch(/^Mem: 16777216k total, \d+k used, \d+k free {4}CPUs: 8 @ 3000MHz$/);
    // 80 columns (no size on the tty: terminfo's): the heading wraps as curses wraps it
    expect(s[3]).toBe('      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS');
    expect(s[4]).toBe(' NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SS');
    expect(s[5]).toBe('ID');
    expect(s[6]).toMatch(/^ {2}Domain-0 --b--- +\d+ +0\.0 +1048576 +6\.3 +no limit +n\/a +4$/);
    expect(s[9]).toMatch(/^ {6}web1 --b--- +\d+ +0\.0 +524288 +3\.1 +524288 +3\.1 +2$/);
    expect(s[23]).toBe('  Delay  Networks  vBds  VCPUs  Repeat header  Sort order  Quit');
    // the heading in reverse video, the sort column (NAME) bold too; the key letters reversed
    expect(out()).toContain('\x1b[0;1;7m      NAME\x1b[0;7m  STATE');
    expect(out()).toContain('\x1b[24;1H\x1b[0m  \x1b[0;7mD\x1b[0melay  \x1b[0;7mN\x1b[0metworks');
    expect(frames(out())).toBe(1);

    // nothing before the delay; the next frame once 3 s of the host's clock went by
    host.advanceClock(SECONDS(2));
    await settle();
    expect(frames(out())).toBe(1);
    host.advanceClock(SECONDS(1));
    await until(() => frames(out()) === 2);
    expect(lastScreen(out())[0]).toBe('xentop - 00:00:06   Xen 4.17.0-xendeck');

    type('q');
    await until(() => out().endsWith(PROMPT));
    // endwin: the shell's screen back, then the prompt
    // eslint-disable-next-line no-control-regex -- rmcup, then the prompt
    expect(out()).toMatch(/\x1b\[\?1049l\r?\n?root@xenhost1:~# $/);
    expect(await run('echo $?')).toBe('0\n');
  });

  it('keys redraw at once: s sorts by the next field (bold), n / b / v show the sections, d sets the delay', async () => {
    const sh = await dom0();
    const { host, type } = sh;
    await host.createDomain({ configText: "name = \"web1\"\ntype = \"pvh\"\nkernel = \"/boot/vmlinuz\"\nmemory = 512\nvcpus = 2\nvif = [ 'bridge=xenbr0' ]\n" });
    host.advanceClock(SECONDS(3));
    const out = await startScreen(sh, 'xentop');
    expect(frames(out())).toBe(1);
    type('s');
    await until(() => frames(out()) === 2);
    expect(out().slice(out().lastIndexOf('\x1b[1;1H'))).toContain('\x1b[0;7m      NAME \x1b[0;1;7m STATE');
    type('n');
    await until(() => frames(out()) === 3);
    expect(lastScreen(out()).some((l) => l.startsWith('Net0 RX:        0bytes'))).toBe(true);
    // a toggle that is on is drawn in COLOR_PAIR(1): yellow background
    expect(out().slice(out().lastIndexOf('\x1b[24;1H'))).toContain('\x1b[0;43metworks');
    type('d');
    await until(() => frames(out()) === 4);
    type('7');
    await until(() => frames(out()) === 5);
    expect(lastScreen(out())[23]).toBe('  Delay(sec): 7');
    type('\r');
    await until(() => frames(out()) === 6);
    expect(lastScreen(out())[23]).toContain('Delay  Networks');
    // now 7 s between frames
    host.advanceClock(SECONDS(6));
    await settle();
    expect(frames(out())).toBe(6);
    host.advanceClock(SECONDS(1));
    await until(() => frames(out()) === 7);
    await endScreen(sh, '\x1b');
  });

  it('^C ends it as ncurses does (endwin, exit status 1); -V prints xentop’s version text', async () => {
    const sh = await dom0();
    const { host, type, text, run } = sh;
    host.advanceClock(SECONDS(1));
    const out = await startScreen(sh, 'xentop -d 1');
    await endScreen(sh, '\x03');
    expect(out()).toContain('\x1b[?1049l');
    expect(out()).not.toContain('^C');
    expect(await run('echo $?')).toBe('1\n');
    expect(await run('xentop -V')).toBe('xentop 1.0\nWritten by Judy Fischbach, David Hendricks, Josh Triplett\n\nCopyright (C) 2005  International Business Machines  Corp\nThis is free software; see the source for copying conditions.There is NO\nwarranty; not even for MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.\n');
    expect(await run('echo $?')).toBe('0\n');
    // batch mode catches SIGINT: the loop ends after ^C with status 0
    const m2 = text().length;
    type('xentop -b -d 1\r');
    await until(() => text().slice(m2).includes('SSID'));
    await endScreen(sh, '\x03');
    expect(text().slice(m2)).toContain('^C');
    expect(await run('echo $?')).toBe('0\n');
  });

  it('draws to the size stty set on the tty: the heading on one line, the bottom line on the last row', async () => {
    const sh = await dom0();
    const { host, run } = sh;
    expect(await run('stty size')).toBe('0 0\n');
    expect(await run('stty rows 30 cols 200')).toBe('');
    expect(await run('stty size')).toBe('30 200\n');
    expect(await run('stty -echo')).toContain("stty: '-echo': only the window size (rows, cols) is modelled");
    host.advanceClock(SECONDS(1));
    const out = await startScreen(sh, 'xentop');
    const s = screenOf(out().slice(out().lastIndexOf('\x1b[1;1H')), 30, 200);
    expect(s[3]).toBe('      NAME  STATE   CPU(sec) CPU(%)     MEM(k) MEM(%)  MAXMEM(k) MAXMEM(%) VCPUS NETS NETTX(k) NETRX(k) VBDS   VBD_OO   VBD_RD   VBD_WR  VBD_RSECT  VBD_WSECT SSID');
    expect(s[4]).toMatch(/^ {2}Domain-0 /);
    expect(s[29]).toContain('Delay  Networks');
    await endScreen(sh, 'q');
  });

  it('stops adding domains once the cursor is on the last line; the arrows scroll the first domain shown', async () => {
    const sh = await dom0();
    const { host, type, run } = sh;
    for (const name of ['web1', 'web2']) await host.createDomain({ configText: `name = "${name}"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 256\n` });
    host.advanceClock(SECONDS(1));
    await run('stty rows 7 cols 200');
    const out = await startScreen(sh, 'xentop');
    const screen = (): string[] => screenOf(out().slice(out().lastIndexOf('\x1b[1;1H')), 7, 200);
    expect(screen().slice(3, 6).map((l) => l.trim().split(/ +/)[0])).toEqual(['NAME', 'Domain-0', 'web1']);
    expect(screen()[6]).toContain('Delay');
    // the down arrow (xterm's SS3 form under keypad mode) shows from the second domain on
    type('\x1bOB');
    await until(() => frames(out()) === 2);
    expect(screen().slice(3, 6).map((l) => l.trim().split(/ +/)[0])).toEqual(['NAME', 'web1', 'web2']);
    type('\x1b[A');
    await until(() => frames(out()) === 3);
    expect(screen()[4]).toMatch(/^ +Domain-0 /);
    await endScreen(sh, 'Q');
  });

  it('xl top runs xentop (main_top: system("xentop")): its screen, and $? 0 even after ^C', async () => {
    const sh = await dom0();
    sh.host.advanceClock(SECONDS(1));
    const out = await startScreen(sh, 'xl top');
    expect(lastScreen(out())[0]).toBe('xentop - 00:00:01   Xen 4.17.0-xendeck');
    await endScreen(sh, '\x03');
    expect(await sh.run('echo $?')).toBe('0\n');
  });

  it('xl top as xl parses it: -N refused as for any command without a dry run (xl.c main), arguments after top ignored (main_top takes none and checks no count)', async () => {
    const sh = await dom0();
    const { host, run } = sh;
    expect(await run('xl -N top')).toBe('command does not implement -N (dryrun) option\n');
    expect(await run('echo $?')).toBe('1\n');
    host.advanceClock(SECONDS(1));
    const out = await startScreen(sh, 'xl top web1');
    expect(lastScreen(out())[0]).toBe('xentop - 00:00:01   Xen 4.17.0-xendeck');
    await endScreen(sh, 'q');
  });

  it("a window size too large to keep as a screen fails as initscr does when newterm cannot make one, instead of exhausting the engine's memory", async () => {
    const { run } = await dom0();
    expect(await run('stty rows 65535 cols 65535')).toBe('');
    expect(await run('xentop')).toBe('Error opening terminal: xterm.\n');
    expect(await run('echo $?')).toBe('1\n');
  });
});

