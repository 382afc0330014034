/**
 * The commands of xl's table (cmd-table.ts) XenDeck implements, each with whether it
 * changes the host (then it holds the lab lock and may journal). The table's `modifies`
 * is xl's help flag, not quite this: `dmesg -c` clears the console ring.
 */
import type { XlCommand } from '../context';
import { consoleCommand } from './console';
import { blockList, networkList } from './device-list';
import { create } from './create';
import { destroy } from './destroy';
import { dmesg } from './dmesg';
import { debugKeys } from './debug-keys';
import { domid, domname } from './domid';
import { info } from './info';
import { list } from './list';
import { pause, unpause } from './pause';
import { reboot, shutdown } from './shutdown';
import { uptime } from './uptime';
import { vmListCommand } from './vm-list';
import { vcpuList } from './vcpu-list';
import { vcpuPin } from './vcpu-pin';
import { memMax } from './mem-max';
import { memSet } from './mem-set';
import { rename } from './rename';
import { save } from './save';
import { dumpCore } from './dump-core';
import { sysrq } from './sysrq';
import { trigger } from './trigger';
import { blockAttach, blockDetach, networkAttach, networkDetach } from './device-attach';
import { restore } from './restore';
import { vcpuSet } from './vcpu-set';
import { cpupoolCpuAdd, cpupoolCpuRemove, cpupoolDestroy, cpupoolListCommand, cpupoolMigrate, cpupoolRename } from './cpupool';
import { cpupoolCreate } from './cpupool-create';
import { cpupoolNumaSplitCommand } from './cpupool-numa-split';
import { schedCredit, schedCredit2 } from './sched-credit';
import { schedRtds } from './sched-rtds';

export interface XlCommandEntry {
  run: XlCommand;
  writes: (args: readonly string[]) => boolean;
}

const reads = (): boolean => false;
const writes = (): boolean => true;
/** Any option that sets a value: -w -c -t -r -m (credit*), -p -b -e (rtds), or long forms. */
const setsSched = (args: readonly string[]): boolean => args.some((a) => /^-[^-]*[wctrmbe]/.test(a) || /^--(weight|cap|tslice|ratelimit|migration|period|budget|extratime)/.test(a));

export const XL_COMMANDS: Readonly<Record<string, XlCommandEntry>> = {
  create: { run: create, writes },
  console: { run: consoleCommand, writes: reads },
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
  'debug-keys': { run: debugKeys, writes },
  'block-list': { run: blockList, writes: reads },
  'network-list': { run: networkList, writes: reads },
  sysrq: { run: sysrq, writes },
  trigger: { run: trigger, writes },
  'block-attach': { run: blockAttach, writes },
  'block-detach': { run: blockDetach, writes },
  'network-attach': { run: networkAttach, writes },
  'network-detach': { run: networkDetach, writes },
  'vcpu-list': { run: vcpuList, writes: reads },
  'vcpu-pin': { run: vcpuPin, writes },
  'mem-max': { run: memMax, writes },
  'mem-set': { run: memSet, writes },
  'vcpu-set': { run: vcpuSet, writes },
  rename: { run: rename, writes },
  save: { run: save, writes },
  'dump-core': { run: dumpCore, writes: reads },
  restore: { run: restore, writes },
  'cpupool-list': { run: cpupoolListCommand, writes: reads },
  'cpupool-create': { run: cpupoolCreate, writes },
  'cpupool-destroy': { run: cpupoolDestroy, writes },
  'cpupool-rename': { run: cpupoolRename, writes },
  'cpupool-cpu-add': { run: cpupoolCpuAdd, writes },
  'cpupool-cpu-remove': { run: cpupoolCpuRemove, writes },
  'cpupool-migrate': { run: cpupoolMigrate, writes },
  'cpupool-numa-split': { run: cpupoolNumaSplitCommand, writes },
  // sched-*: only setting takes the lock (a listing is read-only)
  'sched-credit': { run: schedCredit, writes: setsSched },
  'sched-credit2': { run: schedCredit2, writes: setsSched },
  'sched-rtds': { run: schedRtds, writes: setsSched },
};
