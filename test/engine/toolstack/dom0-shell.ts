/**
 * Domain-0's console for tests: a host wired as the console wires it
 * (main/services/lab.ts: Xen's tools in dom0, a lab folder as dom0's filesystem, or none),
 * root logged in on dom0's tty, and helpers to type and to run a command line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { dom0Tools } from '../../../engine/cli/dom0-tools';
import type { Dom0Statfs } from '../../../engine/guest/dom0-tools';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

export const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1));
/** Waits (up to 10 s of wall time, for a loaded machine) until `done` holds. */
export async function until(done: () => boolean): Promise<void> {
  const end = Date.now() + 10_000;
  while (!done() && Date.now() < end) await settle();
}
export const PROMPT = 'root@xenhost1:~# ';
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

export interface Dom0Shell {
  host: EmbeddedHost;
  /** The lab folder (undefined: the host keeps none). */
  lab: string;
  /** Types a command line and waits for the prompt after it; its output, with the tty's CR LF as LF. */
  run(line: string): Promise<string>;
  type(s: string): void;
  /** Everything the console showed so far. */
  text(): string;
}

/** `rootStatfs`: the figures of dom0's root filesystem, instead of the real disk's under the lab folder. */
export async function dom0Shell(opts: { labFolder?: boolean; rootStatfs?: Dom0Statfs } = {}): Promise<Dom0Shell> {
  const lab = mkdtempSync(join(tmpdir(), 'xendeck-dom0-'));
  dirs.push(lab);
  const tools = (h: EmbeddedHost): ReturnType<typeof dom0Tools> => {
    const t = dom0Tools(h, opts.labFolder === false ? undefined : lab);
    const fs = opts.rootStatfs;
    return fs ? { ...t, rootFilesystem: () => fs } : t;
  };
  const host = new EmbeddedHost({ id: 'lab1', hostname: 'xenhost1', dom0Tools: tools });
  const con = await host.console(0);
  let text = '';
  con.onData((d) => (text += new TextDecoder().decode(d)));
  await settle();
  con.write('root\r');
  await until(() => text.endsWith(PROMPT));
  const run = async (line: string): Promise<string> => {
    const mark = text.length;
    con.write(`${line}\r`);
    await until(() => text.slice(mark).endsWith(PROMPT));
    const out = text.slice(mark);
    expect(out.endsWith(PROMPT)).toBe(true);
    return out.slice(`${line}\r\n`.length, -PROMPT.length).replace(/\r\n/g, '\n');
  };
  return { host, lab, run, type: (s) => con.write(s), text: () => text };
}
