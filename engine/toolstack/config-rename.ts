/**
 * A kept xl.cfg after `xl rename`: the text with its `name` set to the new name, so the
 * file a person reads (and a restart of the domain) carries it. The last `name = ...`
 * assignment is the one libxlutil uses (a later duplicate wins), so that one is rewritten
 * in place; a config without one gets the line appended.
 */

/** A double-quoted xl.cfg string (libxlutil's lexer understands C escapes in it). */
export function xlCfgString(s: string): string {
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n')}"`;
}

const NAME_LINE = /^(\s*name\s*=\s*)("(?:[^"\\]|\\.)*"|'[^']*')(.*)$/;

export function renamedConfigText(text: string, newName: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = NAME_LINE.exec(lines[i]!);
    if (m) {
      lines[i] = `${m[1]}${xlCfgString(newName)}${m[3]}`;
      return lines.join('\n');
    }
  }
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}name = ${xlCfgString(newName)}\n`;
}
