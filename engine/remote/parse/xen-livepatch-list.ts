// `xen-livepatch list` (tools/misc/xen-livepatch.c: list_func): a header
// " ID                                     | status     | metadata", a dashed line
// ("-...-+-...-+-...-"), then
// per payload "%-40s| %s" with the state (CHECKED, APPLIED, and " (errno, strerror)"
// after a failed action) and "| metadata" whose NUL separators are printed as ";".
// With no payloads it prints "Nothing to list".
import { ParseError } from '../errors';
import type { LivepatchPayload } from '../types';

export function parseLivepatchList(text: string): LivepatchPayload[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 1 && lines[0]?.trim() === 'Nothing to list') return [];
  const header = lines.shift();
  if (header === undefined || !/^\s*ID\s+\|\s*status\s+\|\s*metadata/.test(header)) {
    throw new ParseError('xen-livepatch list', `no header line in ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (lines[0] !== undefined && /^[-+]+$/.test(lines[0].trim())) lines.shift();
  return lines.map((line) => {
    const parts = line.split('|');
    if (parts.length < 2) throw new ParseError('xen-livepatch list', `unexpected row ${JSON.stringify(line)}`);
    const [name, status, ...meta] = parts;
    const s = /^\s*(\S+)(?:\s+\((.*)\))?\s*$/.exec(status as string);
    if (!s) throw new ParseError('xen-livepatch list', `bad status in ${JSON.stringify(line)}`);
    const p: LivepatchPayload = { name: (name as string).trim(), state: s[1] as string, metadata: meta.join('|').trim() };
    if (s[2] !== undefined) p.error = s[2];
    return p;
  });
}
