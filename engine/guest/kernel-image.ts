/**
 * The guest kernel's image in its own memory: text, rodata (with the banner and
 * sys_call_table), the IDT and the task list, as real bytes in the guest's pages at the
 * addresses its System.map gives, so introspection (VMI, a dom0 tool mapping the guest
 * with xenforeignmemory) can find and check them. The layout is an x86-64 Linux's,
 * scaled down (docs/guest-kernel-layout.md):
 *
 *   the kernel is loaded at CONFIG_PHYSICAL_START (16 MiB) and mapped at
 *   __START_KERNEL_map + phys (so _text = 0xffffffff81000000), sections in this order:
 *   .text (functions: endbr64; push %rbp; mov %rsp,%rbp; ...; pop %rbp; ret),
 *   .rodata (linux_banner, then sys_call_table: one 8-byte pointer per syscall into
 *   .text), .data (idt_table: 256 x86-64 interrupt gates of 16 bytes, selector
 *   __KERNEL_CS 0x10, type 0x8e), init_task and the task records after it: a circular
 *   doubly linked list through `tasks`, as for_each_process walks it.
 *
 * The task list is rewritten whenever a process starts or exits (./tasks.ts onChange).
 */
import type { Task, TaskList } from './tasks';

/** What the kernel needs of its memory: writes and reads by guest-physical address. */
export interface GuestPhysMemory {
  writePhys(gpa: number, bytes: Uint8Array): void;
  readPhys(gpa: number, length: number): Uint8Array;
  /** Whole pages at a page-aligned gpa, backed by a shared copy of the same bytes where the host keeps one. */
  sharePhys?(gpa: number, bytes: Uint8Array): void;
}

export const START_KERNEL_MAP = 0xffff_ffff_8000_0000n;
export const PHYSICAL_START = 0x100_0000;

/** Section layout, guest-physical (offsets from PHYSICAL_START). */
export const LAYOUT = {
  text: 0x0,
  textSize: 0x1_0000,
  rodata: 0x1_0000,
  rodataSize: 0x4000,
  sysCallTable: 0x1_4000,
  data: 0x1_6000,
  idtTable: 0x1_6000,
  initTask: 0x1_7000,
  /** Task records (after init_task), TASK_RECORD bytes each. */
  taskSlab: 0x1_7100,
  end: 0x2_0000,
} as const;

/** NR_syscalls of x86-64 Linux 6.1. */
export const NR_SYSCALLS = 451;
export const IDT_ENTRIES = 256;
export const TASK_RECORD = 0x100;
/** Offsets inside a task record (docs/guest-kernel-layout.md). */
export const TASK = { state: 0x00, tasksNext: 0x08, tasksPrev: 0x10, pid: 0x18, tgid: 0x1c, realParent: 0x20, comm: 0x28, flags: 0x38, cputime: 0x40, startTime: 0x48 } as const;
const MAX_TASKS = (LAYOUT.end - LAYOUT.taskSlab) / TASK_RECORD;
const PF_KTHREAD = 0x0020_0000n;
const FUNC = 0x20;
/** Where the syscall functions and the exception entry points live in .text. */
const SYSCALL_FUNCS = 0x1000;
const IDT_ENTRY_FUNCS = 0x8000;

/** Kernel virtual address of a guest-physical one inside the image. */
export const kva = (gpa: number): bigint => START_KERNEL_MAP + BigInt(gpa);

function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}

/** One function body: a real x86-64 prologue/epilogue, int3 padding to 32 bytes. */
function funcBytes(n: number): Uint8Array {
  const b = new Uint8Array(FUNC).fill(0xcc);
  // endbr64; push %rbp; mov %rsp,%rbp; mov $n,%eax; pop %rbp; ret
  b.set([0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0xb8, n & 0xff, (n >> 8) & 0xff, 0, 0, 0x5d, 0xc3]);
  return b;
}

export interface KernelSymbol {
  addr: bigint;
  type: 'T' | 'R' | 'D' | 'B';
  name: string;
}

/** The System.map of the image. */
export function systemMap(): KernelSymbol[] {
  const at = (off: number): bigint => kva(PHYSICAL_START + off);
  return [
    { addr: at(LAYOUT.text), type: 'T', name: '_text' },
    { addr: at(LAYOUT.text), type: 'T', name: 'startup_64' },
    { addr: at(SYSCALL_FUNCS), type: 'T', name: '__x64_sys_read' },
    { addr: at(IDT_ENTRY_FUNCS), type: 'T', name: 'asm_exc_divide_error' },
    { addr: at(LAYOUT.text + LAYOUT.textSize), type: 'T', name: '_etext' },
    { addr: at(LAYOUT.rodata), type: 'R', name: '__start_rodata' },
    { addr: at(LAYOUT.rodata), type: 'R', name: 'linux_banner' },
    { addr: at(LAYOUT.sysCallTable), type: 'R', name: 'sys_call_table' },
    { addr: at(LAYOUT.data), type: 'D', name: '_sdata' },
    { addr: at(LAYOUT.idtTable), type: 'D', name: 'idt_table' },
    { addr: at(LAYOUT.initTask), type: 'D', name: 'init_task' },
    { addr: at(LAYOUT.end), type: 'D', name: '_edata' },
  ];
}

/** /proc/kallsyms (and System.map) lines. */
export function kallsyms(): string {
  return systemMap()
    .map((s) => `${s.addr.toString(16).padStart(16, '0')} ${s.type} ${s.name}\n`)
    .join('');
}

export class KernelImage {
  private readonly base = PHYSICAL_START;

  constructor(private readonly mem: GuestPhysMemory) {}

  /**
   * Lay out text, rodata, the syscall table and the IDT (once, at boot), as the
   * decompressor leaves the image: every page from _text up to init_task written.
   * The bytes are the same for every guest of a release, so they are built once per
   * banner and handed to the host as shared pages (copy-on-write) where it can.
   */
  load(banner: string): void {
    const image = imageOf(banner);
    if (this.mem.sharePhys) this.mem.sharePhys(this.base, image);
    else this.mem.writePhys(this.base, image);
  }

  /** init_task and one record per task, linked through `tasks` in pid order. */
  writeTasks(tasks: TaskList | readonly Task[]): void {
    const list = (Array.isArray(tasks) ? tasks : (tasks as TaskList).list()).slice(0, MAX_TASKS);
    const addrOf = (i: number): number => (i === 0 ? LAYOUT.initTask : LAYOUT.taskSlab + (i - 1) * TASK_RECORD);
    const records: { pid: number; ppid: number; comm: string; state: bigint; flags: bigint; cpu: number; start: number }[] = [
      { pid: 0, ppid: 0, comm: 'swapper/0', state: 0n, flags: PF_KTHREAD, cpu: 0, start: 0 },
      ...list.map((t) => ({ pid: t.pid, ppid: t.ppid, comm: t.comm, state: t.state === 'R' ? 0n : t.state === 'D' ? 2n : t.state === 'I' ? 0x402n : 1n, flags: t.kthread ? PF_KTHREAD : 0n, cpu: t.cpuNs, start: t.startNs })),
    ];
    const index = new Map(records.map((r, i) => [r.pid, i]));
    const slab = new Uint8Array(LAYOUT.end - LAYOUT.initTask);
    const dv = new DataView(slab.buffer);
    const n = records.length;
    records.forEach((r, i) => {
      const o = addrOf(i) - LAYOUT.initTask;
      const link = (j: number): bigint => kva(this.base + addrOf(j) + TASK.tasksNext);
      dv.setBigUint64(o + TASK.state, r.state, true);
      dv.setBigUint64(o + TASK.tasksNext, link((i + 1) % n), true);
      dv.setBigUint64(o + TASK.tasksPrev, link((i - 1 + n) % n), true);
      dv.setUint32(o + TASK.pid, r.pid, true);
      dv.setUint32(o + TASK.tgid, r.pid, true);
      dv.setBigUint64(o + TASK.realParent, kva(this.base + addrOf(index.get(r.ppid) ?? 0)), true);
      utf8.encodeInto(r.comm.slice(0, 15), slab.subarray(o + TASK.comm, o + TASK.comm + 15));
      dv.setBigUint64(o + TASK.flags, r.flags, true);
      dv.setBigUint64(o + TASK.cputime, BigInt(Math.round(r.cpu)), true);
      dv.setBigUint64(o + TASK.startTime, BigInt(Math.round(r.start)), true);
    });
    // whole pages: a page of records that is the same in another guest (same processes) is shared
    if (this.mem.sharePhys) this.mem.sharePhys(this.base + LAYOUT.initTask, slab);
    else this.mem.writePhys(this.base + LAYOUT.initTask, slab);
  }
}

const utf8 = new TextEncoder();

/** The image's pages from _text to init_task, built once per banner (kernel release). */
const images = new Map<string, Uint8Array>();

function imageOf(banner: string): Uint8Array {
  let image = images.get(banner);
  if (!image) {
    image = buildImage(PHYSICAL_START, banner);
    images.set(banner, image);
  }
  return image;
}

function buildImage(base: number, banner: string): Uint8Array {
  const image = new Uint8Array(LAYOUT.initTask);
  const text = image.subarray(LAYOUT.text, LAYOUT.text + LAYOUT.textSize).fill(0xcc);
  // startup_64: a jump over the first page; then the syscall bodies and exception entries
  text.set([0xe9, 0xfb, 0x0f, 0x00, 0x00], 0);
  for (let i = 0; i < NR_SYSCALLS; i++) text.set(funcBytes(i), SYSCALL_FUNCS + i * FUNC);
  for (let v = 0; v < IDT_ENTRIES; v++) text.set(funcBytes(0x100 + v).subarray(0, 16), IDT_ENTRY_FUNCS + v * 16);
  image.set(utf8.encode(`${banner}\n\0`), LAYOUT.rodata);
  for (let i = 0; i < NR_SYSCALLS; i++) image.set(le64(kva(base + SYSCALL_FUNCS + i * FUNC)), LAYOUT.sysCallTable + i * 8);
  const dv = new DataView(image.buffer, LAYOUT.idtTable, IDT_ENTRIES * 16);
  for (let v = 0; v < IDT_ENTRIES; v++) {
    const h = kva(base + IDT_ENTRY_FUNCS + v * 16);
    const o = v * 16;
    dv.setUint16(o, Number(h & 0xffffn), true);
    dv.setUint16(o + 2, 0x10, true); // __KERNEL_CS
    dv.setUint8(o + 4, 0); // IST
    dv.setUint8(o + 5, 0x8e); // present, DPL 0, 64-bit interrupt gate
    dv.setUint16(o + 6, Number((h >> 16n) & 0xffffn), true);
    dv.setUint32(o + 8, Number((h >> 32n) & 0xffff_ffffn), true);
  }
  return image;
}

/** Walks the task list from init_task as a VMI tool would: [pid, comm] in list order. */
export function walkTasks(mem: GuestPhysMemory): [number, string][] {
  const out: [number, string][] = [];
  const head = PHYSICAL_START + LAYOUT.initTask;
  let rec = head;
  for (let guard = 0; guard < MAX_TASKS + 2; guard++) {
    const b = mem.readPhys(rec, TASK_RECORD);
    const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const comm = new TextDecoder().decode(b.subarray(TASK.comm, TASK.comm + 16)).replace(/\0.*$/s, '');
    out.push([dv.getUint32(TASK.pid, true), comm]);
    const next = Number(dv.getBigUint64(TASK.tasksNext, true) - START_KERNEL_MAP) - TASK.tasksNext;
    if (next === head) break;
    rec = next;
  }
  return out;
}
