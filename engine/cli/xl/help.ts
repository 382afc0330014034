/**
 * `xl help [cmd]` and the usage text xl prints on bad arguments: help() of tools/xl/xl.c,
 * byte for byte (" %-19s " columns, the "[-vtT%s%s]" flags built from modifies and
 * can_dryrun, "command \"%s\" not implemented" for an unknown name).
 */
import { XL_CMD_TABLE } from './cmd-table';
import { cmdtableLookup } from './cmd-table-lookup';

export function helpText(command?: string): string {
  if (command === undefined || command === 'help') {
    let s = 'Usage xl [-vfNtT] <subcommand> [args]\n\nxl full list of subcommands:\n\n';
    for (const c of XL_CMD_TABLE) {
      s += ` ${c.name.padEnd(19)} `;
      if (c.name.length > 19) s += `\n ${''.padEnd(19)} `;
      s += `${c.desc}\n`;
    }
    return s;
  }
  const c = cmdtableLookup(command);
  if (!c) return `command "${command}" not implemented\n`;
  let s = `Usage: xl [-vtT${c.modifies ? 'f' : ''}${c.canDryrun ? 'N' : ''}] ${c.name} ${c.usage}\n\n${c.desc}.\n\n`;
  if (c.options !== null) s += `Options:\n\n${c.options}\n`;
  return s;
}
