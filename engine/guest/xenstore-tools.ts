/**
 * xenstore-read, xenstore-write and xenstore-ls as a guest runs them (Xen's
 * tools/xenstore/xenstore_client.c): over the guest's own xenbus connection
 * (xs_domain_open), so xenstored checks every request against the guest's domid and
 * resolves a relative path under /local/domain/<domid> (docs/misc/xenstore.txt).
 *
 *   xenstore-read [-p] key...        one value a line; -p prefixes "key: "
 *   xenstore-write key value [...]   pairs; an odd count is the usage error
 *   xenstore-ls [-f] [path]          do_ls: one space of indent a level, `name = "value"`
 *                                    with sanitise_value's escapes, cut at 80 columns
 *                                    with `\...` (the tty's width); -f prints whole paths
 *
 *   xenstore-rm [-t] key...          xs_rm each; -t also removes each parent left empty
 *                                    and valueless, up to the root
 *   xenstore-list [-p] key...        the children's names, one a line; -p: "key/name"
 *   xenstore-exists key...           no output: status 0 when every key reads, else 1
 *
 * Failures read as the tool prints them through warnx/err: "xenstore-read: couldn't read
 * path X", "xenstore-write: could not write path X", "xenstore-rm: could not remove path
 * X", "xenstore-list: could not list path X", "xenstore-ls: xs_directory (X):
 * Permission denied". Nothing is written when a write fails. An option a mode does not
 * take, or no key, is the mode's usage line (usage() in xenstore_client.c), status 1.
 */
import { STRERROR, type XenErrnoName } from '../hypervisor/errno';
import { XsError } from '../xenstore/errors';
import type { XsClient } from '../xenstore/client';

export type XenstoreToolName = 'read' | 'write' | 'ls' | 'rm' | 'list' | 'exists';

export const XENSTORE_TOOLS: readonly string[] = ['read', 'write', 'ls', 'rm', 'list', 'exists'];

export interface ToolResult {
  output: string;
  status: number;
}

const LS_WIDTH = 80;
/** xenstore_client.c's TAG, ` = ""`: the room the value's quotes take. */
const TAG_LEN = 5;

function errText(e: unknown): string {
  const code = e instanceof XsError ? e.code : 'EIO';
  return code in STRERROR ? STRERROR[code as XenErrnoName] : code;
}

/** sanitise_value: printable ASCII as is, backslash doubled, \t \n \r, other bytes \ooo. */
export function sanitiseValue(v: string): string {
  let s = '';
  for (const ch of v) {
    const c = ch.charCodeAt(0);
    if (ch === '\\') s += '\\\\';
    else if (ch === '\t') s += '\\t';
    else if (ch === '\n') s += '\\n';
    else if (ch === '\r') s += '\\r';
    else if (c >= 0x20 && c < 0x7f) s += ch;
    else s += `\\${(c & 0xff).toString(8).padStart(3, '0')}`;
  }
  return s;
}

export async function xenstoreRead(xs: XsClient, args: string[]): Promise<ToolResult> {
  const prefix = args.includes('-p');
  const keys = args.filter((a) => !a.startsWith('-'));
  if (keys.length === 0) return { output: 'xenstore-read: Usage: xenstore-read [-h] [-p] [-s] key [...]\n', status: 1 };
  let output = '';
  for (const k of keys) {
    try {
      const v = await xs.read(k);
      output += `${prefix ? `${k}: ` : ''}${v}\n`;
    } catch {
      // xenstore_client.c: output is buffered and only printed on success
      return { output: `xenstore-read: couldn't read path ${k}\n`, status: 1 };
    }
  }
  return { output, status: 0 };
}

export async function xenstoreWrite(xs: XsClient, args: string[]): Promise<ToolResult> {
  const pairs = args.filter((a) => a !== '-s');
  if (pairs.length === 0 || pairs.length % 2 === 1) return { output: 'xenstore-write: Usage: xenstore-write [-h] [-s] key value [...]\n', status: 1 };
  // All pairs in one transaction, as the tool does: a failure aborts it, nothing is written.
  const tx = await xs.transactionStart();
  for (let i = 0; i < pairs.length; i += 2) {
    try {
      await xs.write(pairs[i]!, pairs[i + 1]!, tx);
    } catch {
      await xs.transactionEnd(tx, false).catch(() => undefined);
      return { output: `xenstore-write: could not write path ${pairs[i]}\n`, status: 1 };
    }
  }
  try {
    await xs.transactionEnd(tx, true);
  } catch (e) {
    return { output: `xenstore-write: couldn't end transaction (${errText(e)})\n`, status: 1 };
  }
  return { output: '', status: 0 };
}

export async function xenstoreLs(xs: XsClient, args: string[]): Promise<ToolResult> {
  const full = args.includes('-f');
  const paths = args.filter((a) => !a.startsWith('-'));
  const root = paths[0] ?? '/';
  const width = full ? Number.MAX_SAFE_INTEGER : LS_WIDTH;
  const lines: string[] = [];
  const walk = async (path: string, depth: number): Promise<string | undefined> => {
    let names: string[];
    try {
      names = await xs.directory(path);
    } catch (e) {
      // a node that vanished or is unreadable below the top is skipped silently
      if (depth > 0) return undefined;
      return `xenstore-ls: xs_directory (${path}): ${errText(e)}\n`;
    }
    for (const name of names) {
      const child = `${path}${path.endsWith('/') ? '' : '/'}${name}`;
      let line = full ? child : `${' '.repeat(depth)}${name.slice(0, Math.max(0, width - TAG_LEN - depth))}`;
      let value: string | undefined;
      try {
        value = await xs.read(child);
      } catch {
        value = undefined;
      }
      if (value === undefined) line += ':';
      else {
        const san = sanitiseValue(value);
        if (width < line.length + san.length + TAG_LEN) line += ` = "${san.slice(0, Math.max(0, width - TAG_LEN - line.length))}\\..."`;
        else line += ` = "${san}"`;
      }
      lines.push(line);
      await walk(child, depth + 1);
    }
    return undefined;
  };
  const failed = await walk(root, 0);
  if (failed !== undefined) return { output: failed, status: 1 };
  return { output: lines.map((l) => `${l}\n`).join(''), status: 0 };
}

/** Options (single letters, also bundled: -tp) and operands; `bad` is the first letter not in `allowed`. */
function splitOptions(args: readonly string[], allowed: string): { flags: Set<string>; keys: string[]; bad: boolean } {
  const flags = new Set<string>();
  const keys: string[] = [];
  let bad = false;
  let opts = true;
  for (const a of args) {
    if (opts && a === '--') opts = false;
    else if (opts && a.startsWith('-') && a.length > 1) {
      for (const f of a.slice(1)) {
        if (!allowed.includes(f)) bad = true;
        flags.add(f);
      }
    } else keys.push(a);
  }
  return { flags, keys, bad };
}

/** Runs `body` in one transaction (the tool's own for these modes), committed when it succeeds. */
async function inTransaction(xs: XsClient, tool: string, body: (tx: number) => Promise<ToolResult>): Promise<ToolResult> {
  const tx = await xs.transactionStart();
  const r = await body(tx);
  try {
    await xs.transactionEnd(tx, r.status === 0);
  } catch {
    if (r.status === 0) return { output: `${r.output}xenstore-${tool}: couldn't end transaction\n`, status: 1 };
  }
  return r;
}

export async function xenstoreRm(xs: XsClient, args: string[]): Promise<ToolResult> {
  const { flags, keys, bad } = splitOptions(args, 'st');
  if (bad || keys.length === 0) return { output: 'xenstore-rm: Usage: xenstore-rm [-h] [-s] [-t] key [...]\n', status: 1 };
  const tidy = flags.has('t');
  return inTransaction(xs, 'rm', async (tx) => {
    for (const key of keys) {
      let path = key;
      for (;;) {
        try {
          await xs.rm(path, tx);
        } catch {
          return { output: `xenstore-rm: could not remove path ${path}\n`, status: 1 };
        }
        // -t: the parent goes too when it is now an empty node with an empty value
        const slash = path.lastIndexOf('/');
        if (!tidy || slash < 0) break;
        const parent = path.slice(0, slash);
        const value = await xs.read(parent, tx).catch(() => undefined);
        if (value !== '') break;
        const children = await xs.directory(parent, tx).catch(() => undefined);
        if (children === undefined || children.length > 0) break;
        path = parent;
      }
    }
    return { output: '', status: 0 };
  });
}

export async function xenstoreList(xs: XsClient, args: string[]): Promise<ToolResult> {
  const { flags, keys, bad } = splitOptions(args, 'ps');
  if (bad || keys.length === 0) return { output: 'xenstore-list: Usage: xenstore-list [-h] [-p] [-s] key [...]\n', status: 1 };
  return inTransaction(xs, 'list', async (tx) => {
    let output = '';
    for (const key of keys) {
      let names: string[];
      try {
        names = await xs.directory(key, tx);
      } catch {
        // the output is buffered: nothing of it is printed when a key fails
        return { output: `xenstore-list: could not list path ${key}\n`, status: 1 };
      }
      for (const n of names) output += `${flags.has('p') ? `${key}/` : ''}${n}\n`;
    }
    return { output, status: 0 };
  });
}

export async function xenstoreExists(xs: XsClient, args: string[]): Promise<ToolResult> {
  const { keys, bad } = splitOptions(args, 's');
  // usage() names list's options for exists too (a fallthrough in xenstore_client.c)
  if (bad || keys.length === 0) return { output: 'xenstore-exists: Usage: xenstore-exists [-h] [-p] [-s] key [...]\n', status: 1 };
  return inTransaction(xs, 'exists', async (tx) => {
    for (const key of keys) {
      try {
        await xs.read(key, tx);
      } catch {
        return { output: '', status: 1 };
      }
    }
    return { output: '', status: 0 };
  });
}

/** One of the tools by its mode name (xenstore-MODE). */
export function xenstoreTool(xs: XsClient, tool: XenstoreToolName, args: string[]): Promise<ToolResult> {
  switch (tool) {
    case 'read':
      return xenstoreRead(xs, args);
    case 'write':
      return xenstoreWrite(xs, args);
    case 'ls':
      return xenstoreLs(xs, args);
    case 'rm':
      return xenstoreRm(xs, args);
    case 'list':
      return xenstoreList(xs, args);
    case 'exists':
      return xenstoreExists(xs, args);
  }
}
