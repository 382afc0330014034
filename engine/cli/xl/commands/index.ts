/**
 * The commands of xl's table (cmd-table.ts) XenDeck implements, each with whether it
 * changes the host (then it holds the lab lock and may journal). The table's `modifies`
 * is xl's help flag, not quite this: `dmesg -c` clears the console ring.
 */
import type { XlCommand } from '../context';
import { create } from './create';
import { destroy } from './destroy';
import { dmesg } from './dmesg';
import { domid, domname } from './domid';
import { info } from './info';
import { list } from './list';
import { pause, unpause } from './pause';
import { reboot, shutdown } from './shutdown';
import { uptime } from './uptime';
import { vmListCommand } from './vm-list';

export interface XlCommandEntry {
  run: XlCommand;
  writes: (args: readonly string[]) => boolean;
}

const reads = (): boolean => false;
const writes = (): boolean => true;

export const XL_COMMANDS: Readonly<Record<string, XlCommandEntry>> = {
  create: { run: create, writes },
  list: { run: list, writes: reads },
  destroy: { run: destroy, writes },
  shutdown: { run: shutdown, writes },
  reboot: { run: reboot, writes },
  pause: { run: pause, writes },
  unpause: { run: unpause, writes },
  'vm-list': { run: vmListCommand, writes: reads },
  info: { run: info, writes: reads },
  domid: { run: domid, writes: reads },
  domname: { run: domname, writes: reads },
  dmesg: { run: dmesg, writes: (args) => args.some((a) => a === '--clear' || /^-[^-]*c/.test(a)) },
  uptime: { run: uptime, writes: reads },
};
