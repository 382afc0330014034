// `xenstore-ls PATH` (tools/xenstore/xenstore_client.c, MODE_ls: do_ls): one node per
// line, indented one space per level below PATH, `name = "value"`, the value passed
// through sanitise_value: printable ASCII as is (quotes included), backslash as \\,
// tab/newline/CR as \t \n \r, any other byte as a three-digit octal escape \nnn.
import { ParseError } from '../errors';

export interface XenstoreNode {
  /** Full path (PATH joined with the names above it). */
  path: string;
  value: string;
}

export function unsanitiseXenstoreValue(v: string): string {
  return v.replace(/\\(\\|t|n|r|[0-7]{3})/g, (_, e: string) => {
    switch (e) {
      case '\\': return '\\';
      case 't': return '\t';
      case 'n': return '\n';
      case 'r': return '\r';
      default: return String.fromCharCode(parseInt(e, 8));
    }
  });
}

export function parseXenstoreLs(text: string, root: string): XenstoreNode[] {
  const base = root === '/' ? '' : root.replace(/\/+$/, '');
  const stack: string[] = [];
  const nodes: XenstoreNode[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^( *)(.+?) = "(.*)"$/.exec(line);
    if (!m) throw new ParseError('xenstore-ls', `unexpected line ${JSON.stringify(line)}`);
    const depth = (m[1] as string).length;
    if (depth > stack.length) throw new ParseError('xenstore-ls', `line indented too deep: ${JSON.stringify(line)}`);
    stack.length = depth;
    stack.push(m[2] as string);
    nodes.push({ path: `${base}/${stack.join('/')}`, value: unsanitiseXenstoreValue(m[3] as string) });
  }
  return nodes;
}
