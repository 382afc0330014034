/**
 * What Linux 6.1's panic() prints before Xen takes over (kernel/panic.c: the message,
 * dump_stack's header and call trace, the KASLR offset), at one printk time: the guest's
 * panic notifier then calls SCHEDOP_shutdown(SHUTDOWN_crash) and xl.cfg's on_crash acts.
 */
import type { GuestHardware } from './guest-platform';
import { kernelRelease } from './kernel-release';

/** `frames`: the call trace between panic() and the entry point, innermost first. */
export function panicLines(t: string, hw: GuestHardware, p: { reason: string; pid: number; comm: string; frames: readonly string[] }): string[] {
  return [
    `${t} Kernel panic - not syncing: ${p.reason}`,
    `${t} CPU: 0 PID: ${p.pid} Comm: ${p.comm} Not tainted ${kernelRelease(hw.type)} #1  Debian 6.1.140-1`,
    `${t} Hardware name: Xen ${hw.type === 'hvm' ? 'HVM domU' : 'PV'}, BIOS 4.17.0 01/01/2024`,
    `${t} Call Trace:`,
    `${t}  <TASK>`,
    `${t}  dump_stack_lvl+0x44/0x5c`,
    `${t}  panic+0x118/0x2f8`,
    ...p.frames.map((f) => `${t}  ${f}`),
    `${t}  </TASK>`,
    `${t} Kernel Offset: disabled`,
  ];
}
