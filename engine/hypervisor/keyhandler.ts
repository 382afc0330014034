/**
 * Debug keys (xen/common/keyhandler.c, Xen 4.17): what XEN_SYSCTL_debug_keys (`xl
 * debug-keys`) or the serial console's keypress runs, printing into the console ring
 * (`xl dmesg`). Only the handlers this engine can answer faithfully are installed; as in
 * handle_keypress(), a key with no handler is ignored without a word.
 */
import type { ConsoleRing } from './conring';
import type { Domain } from './domain';
import type { CpuPools } from './sched/cpupool';
import type { CpuMask } from './cpumask';
import { pbl } from './sched/dump-format';

/** What the handlers read from the hypervisor. */
export interface KeyhandlerHost {
  readonly conring: ConsoleRing;
  now(): number;
  readonly pools: CpuPools;
  domains(): Domain[];
  pages(domid: number): { totPages: number; maxPages: number };
}

interface Keyhandler {
  fn: (h: KeyhandlerHost, key: string) => void;
  /** The description key_table[] gives ('h' lists it). */
  desc: string;
}

/** key_table[] of keyhandler.c, the entries this engine installs (with Xen's descriptions). */
const KEY_TABLE: ReadonlyMap<string, Keyhandler> = new Map<string, Keyhandler>([
  ['h', { fn: showHandlers, desc: 'show this message' }],
  ['q', { fn: dumpDomains, desc: 'dump domain (and guest debug) info' }],
  ['r', { fn: dumpRunq, desc: 'dump run queues' }],
]);

/** handle_keypress(): run the key's handler; unknown keys (and bytes >= 128) do nothing. */
export function handleKeypress(h: KeyhandlerHost, key: string): void {
  KEY_TABLE.get(key)?.fn(h, key);
}

/** XEN_SYSCTL_debug_keys: each byte of the string in turn (xen/common/sysctl.c). */
export function debugKeys(h: KeyhandlerHost, keys: string): void {
  for (const k of keys) handleKeypress(h, k);
}

export { pbl } from './sched/dump-format';

/** show_handlers(): every installed key in ASCII order, isprint() or a space. */
function showHandlers(h: KeyhandlerHost, key: string): void {
  h.conring.printk(`'${key}' pressed -> showing installed handlers`);
  const keys = [...KEY_TABLE.keys()].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  for (const k of keys) {
    const code = k.charCodeAt(0);
    const shown = code >= 0x20 && code < 0x7f ? k : ' ';
    h.conring.printk(` key '${shown}' (ascii '${code.toString(16).padStart(2, '0')}') => ${KEY_TABLE.get(k)!.desc}`);
  }
}

/**
 * dump_domains(): the fields struct domain / struct vcpu of this engine hold. refcnt,
 * xenheap_pages, dirty_cpus, vm_assist, the node affinity, arch state and the periodic
 * timer are not modelled and are left out rather than invented.
 */
function dumpDomains(h: KeyhandlerHost, key: string): void {
  const p = (l: string): void => h.conring.printk(l);
  p(`'${key}' pressed -> dumping domain info (now = ${h.now()})`);
  const doms = h.domains().filter((d) => d.life !== 'destroyed');
  for (const d of doms) {
    const mem = h.pages(d.domid);
    p(`General information for domain ${d.domid}:`);
    p(`    dying=${d.life === 'dying' ? 1 : 0} pause_count=${d.pauseCount}`);
    p(`    nr_pages=${mem.totPages} max_pages=${mem.maxPages >= 0xffffffff ? 0xffffffff : mem.maxPages}`);
    p(`    handle=${d.uuid}`);
    p(`VCPU information and callbacks for domain ${d.domid}:`);
    // One vCPU per sched unit: the engine schedules at "cpu" granularity (sched-gran=cpu).
    for (const v of d.vcpus) {
      p(`  UNIT${v.vcpuId} affinities: hard={${pbl(maskCpus(v.hardAffinity))}} soft={${pbl(maskCpus(v.softAffinity))}}`);
      p(`    VCPU${v.vcpuId}: CPU${v.processor} [has=${v.runstate === 'running' ? 'T' : 'F'}]`);
      // pause_flags: _VPF_blocked is bit 0, _VPF_down bit 1 (xen/include/xen/sched.h).
      p(`    pause_count=${v.pauseCount} pause_flags=${((v.blockedByGuest ? 1 : 0) | (v.down ? 2 : 0)).toString(16)}`);
    }
  }
}

/** dump_runq(): cpupool.c's, CpuPools.dump() (each pool's schedule_dump and scheduler dump). */
function dumpRunq(h: KeyhandlerHost): void {
  for (const l of h.pools.dump()) h.conring.printk(l);
}

function maskCpus(m: CpuMask): number[] {
  return [...m];
}
