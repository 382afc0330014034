import { describe, expect, it } from 'vitest';
import { LAYOUT, NR_SYSCALLS, PHYSICAL_START, START_KERNEL_MAP, systemMap, walkTasks } from '../../../engine/guest/kernel-image';
import { PV, rig } from './guest-harness';

const sym = (name: string): number => Number(systemMap().find((s) => s.name === name)!.addr - START_KERNEL_MAP);

describe('the guest kernel in its own memory', () => {
  it('lays out text, the banner, sys_call_table and the IDT at the System.map addresses', async () => {
    const g = await rig(PV);
    g.run(2);
    const mem = g.host.xen.hypercall({ op: 'privcmd.map_foreign', domid: g.domid });
    expect(sym('_text')).toBe(PHYSICAL_START);
    const banner = new TextDecoder().decode(mem.readPhys(sym('linux_banner'), 64));
    expect(banner).toMatch(/^Linux version 6\.1\.0-56-cloud-amd64 /);
    // every syscall pointer lands on an endbr64 inside .text
    const table = mem.readPhys(sym('sys_call_table'), NR_SYSCALLS * 8);
    const dv = new DataView(table.buffer, table.byteOffset);
    for (const i of [0, 1, 59, NR_SYSCALLS - 1]) {
      const target = Number(dv.getBigUint64(i * 8, true) - START_KERNEL_MAP);
      expect(target).toBeGreaterThanOrEqual(sym('_text'));
      expect(target).toBeLessThan(sym('_etext'));
      expect([...mem.readPhys(target, 4)]).toEqual([0xf3, 0x0f, 0x1e, 0xfa]);
    }
    // IDT gate 14 (#PF): selector __KERNEL_CS, present 64-bit interrupt gate, handler in .text
    const gate = mem.readPhys(sym('idt_table') + 14 * 16, 16);
    const gv = new DataView(gate.buffer, gate.byteOffset);
    expect(gv.getUint16(2, true)).toBe(0x10);
    expect(gv.getUint8(5)).toBe(0x8e);
    const handler = (BigInt(gv.getUint32(8, true)) << 32n) | (BigInt(gv.getUint16(6, true)) << 16n) | BigInt(gv.getUint16(0, true));
    expect(Number(handler - START_KERNEL_MAP)).toBeLessThan(PHYSICAL_START + LAYOUT.textSize);
  });

  it('keeps the task list in step with the processes: walking it from init_task finds the shell and its commands', async () => {
    const g = await rig(PV);
    await g.login();
    const mem = g.host.xen.hypercall({ op: 'privcmd.map_foreign', domid: g.domid });
    const before = walkTasks(mem);
    expect(before[0]).toEqual([0, 'swapper/0']);
    expect(before.map(([, c]) => c)).toEqual(expect.arrayContaining(['init', 'kthreadd', 'xenwatch', '-sh']));
    g.type('sleep 5\r');
    g.run(1);
    expect(walkTasks(mem).map(([, c]) => c)).toContain('sleep');
    g.run(5);
    expect(walkTasks(mem).map(([, c]) => c)).not.toContain('sleep');
    g.type('cat /proc/kallsyms\r');
    expect(g.take()).toMatch(/ffffffff81000000 T _text\r\n/);
  });

  it('guests of one kernel release hold one copy of its image; a write into one guest\'s sys_call_table stays in that guest', async () => {
    const g = await rig(PV);
    const other = await g.host.createDomain({ configText: PV.replace('web1', 'web3') });
    await g.host.xenstore.settled();
    g.run(5);
    const xen = g.host.xen;
    const mine = xen.hypercall({ op: 'privcmd.map_foreign', domid: g.domid });
    const theirs = xen.hypercall({ op: 'privcmd.map_foreign', domid: other.domid! });
    // text, rodata, the syscall table and the IDT: the same pages in both guests, kept once
    const imagePages = LAYOUT.initTask / 4096;
    expect(xen.frames.savedFrames).toBeGreaterThanOrEqual(imagePages - 1);
    expect(Buffer.from(mine.readPhys(PHYSICAL_START, LAYOUT.initTask)).equals(Buffer.from(theirs.readPhys(PHYSICAL_START, LAYOUT.initTask)))).toBe(true);
    // a rootkit hooking read() in one guest: copy-on-write, the other guest's table is untouched
    const slot = sym('sys_call_table');
    const before = theirs.readPhys(slot, 8);
    mine.writePhys(slot, new Uint8Array(8).fill(0x41));
    expect([...mine.readPhys(slot, 8)]).toEqual(new Array(8).fill(0x41));
    expect(theirs.readPhys(slot, 8)).toEqual(before);
    expect(walkTasks(theirs)[0]).toEqual([0, 'swapper/0']);
  });
});
