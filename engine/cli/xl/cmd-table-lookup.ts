/**
 * cmdtable_lookup() of tools/xl/xl_cmdtable.c: a command may be given by any unambiguous
 * prefix of its name; an exact name wins even when it also prefixes another command
 * ("create" is not ambiguous with a hypothetical "create-foo").
 */
import { XL_CMD_TABLE, type XlCmdSpec } from './cmd-table';

export function cmdtableLookup(s: string | undefined): XlCmdSpec | undefined {
  if (s === undefined) return undefined;
  let hit: XlCmdSpec | undefined;
  let count = 0;
  for (const c of XL_CMD_TABLE) {
    if (c.name.startsWith(s)) {
      if (c.name.length === s.length) return c;
      hit = c;
      count++;
    }
  }
  return count === 1 ? hit : undefined;
}
