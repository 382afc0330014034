/**
 * The guest model's own state kept in its own guest pages, so an `xl save` stream carries
 * it and a restored guest resumes where it was instead of booting again (Linux keeps all
 * of its state in its memory; the simulated guest writes what its kernel would have there
 * when it suspends). The layout is in docs/guest-resume-layout.md:
 *
 *   RESUME_AREA (guest-physical 0x1020000, right after the kernel image's _edata),
 *   RESUME_AREA_SIZE bytes:
 *     0x00 char[8] magic "XDRESUME"     0x08 u32 version (1)   0x0c u32 body length
 *     0x10 u32 crc32 of the body        0x14 u32 online vCPUs
 *     0x18 u64 uptime at suspend, ns    0x20 u64 Xen system time at suspend, ns
 *     0x28 .. 0x40 reserved (zero)      0x40 body: UTF-8 JSON (ResumeBody)
 *
 * The task list itself is also in the kernel image's task records (kernel-image.ts);
 * the body carries what those records do not (command lines, parents, RSS) so `ps`
 * reads the same after the resume.
 */
import { crc32 } from 'node:zlib';
import type { GuestPhysMemory } from './kernel-image';
import { PHYSICAL_START } from './kernel-image';
import type { Task } from './tasks';
import type { FrontendResult } from './xenbus-frontend';

export const RESUME_AREA = PHYSICAL_START + 0x2_0000;
export const RESUME_AREA_SIZE = 0x4_0000;
const HEADER_SIZE = 0x40;
const MAGIC = 'XDRESUME';
export const RESUME_VERSION = 1;

/** The shell and tty, as they were. */
export interface ResumeShell {
  state: 'login' | 'password' | 'shell' | 'busy';
  shellPid: number;
  fgPid: number;
  /** A foreground `sleep` still running: how long it has left. */
  sleepLeftNs?: number;
  kexec?: { kernel: string; cmdline?: string };
}

export interface ResumeBody {
  shell: ResumeShell;
  /** Tasks with startNs relative to the kernel's start (uptime 0). */
  tasks: Task[];
  nextPid: number;
  dmesg: string[];
  /** Console output still in the tty buffer (not yet in the ring), base64. */
  ttyPending: string;
  /** The PV frontends that were connected (they reconnect on resume: xenbus resume). */
  frontends: FrontendResult[];
}

export interface ResumeState {
  vcpus: number;
  uptimeNs: number;
  /** Xen system time when the guest suspended (its pvclock). */
  systemTimeNs: number;
  body: ResumeBody;
}

/** Thrown when the area does not hold a state this guest can resume from. */
export class ResumeStateError extends Error {
  override readonly name = 'ResumeStateError';
}

export function writeResumeState(mem: GuestPhysMemory, st: ResumeState): void {
  let body = Buffer.from(JSON.stringify(st.body), 'utf8');
  if (HEADER_SIZE + body.length > RESUME_AREA_SIZE) {
    // the kernel log ring is the part that gives way, oldest lines first (as printk's)
    const dmesg = [...st.body.dmesg];
    while (HEADER_SIZE + body.length > RESUME_AREA_SIZE && dmesg.length > 0) {
      dmesg.splice(0, Math.max(1, dmesg.length >> 2));
      body = Buffer.from(JSON.stringify({ ...st.body, dmesg }), 'utf8');
    }
    if (HEADER_SIZE + body.length > RESUME_AREA_SIZE) throw new ResumeStateError(`the guest's state (${body.length} bytes) does not fit its resume area`);
  }
  const out = new Uint8Array(HEADER_SIZE + body.length);
  const v = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  v.setUint32(0x08, RESUME_VERSION, true);
  v.setUint32(0x0c, body.length, true);
  v.setUint32(0x10, crc32(body), true);
  v.setUint32(0x14, st.vcpus, true);
  v.setBigUint64(0x18, BigInt(Math.round(st.uptimeNs)), true);
  v.setBigUint64(0x20, BigInt(Math.round(st.systemTimeNs)), true);
  out.set(body, HEADER_SIZE);
  mem.writePhys(RESUME_AREA, out);
}

/** Reads the state back; throws ResumeStateError when there is none or it is damaged. */
export function readResumeState(mem: GuestPhysMemory, at = RESUME_AREA): ResumeState {
  let head: Uint8Array;
  try {
    head = mem.readPhys(at, HEADER_SIZE);
  } catch (e) {
    throw new ResumeStateError(`no resume area at 0x${at.toString(16)}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (Buffer.from(head.subarray(0, 8)).toString('latin1') !== MAGIC) throw new ResumeStateError('no resume state in guest memory (bad magic)');
  const version = v.getUint32(0x08, true);
  if (version !== RESUME_VERSION) throw new ResumeStateError(`resume state version ${version}, expected ${RESUME_VERSION}`);
  const len = v.getUint32(0x0c, true);
  if (HEADER_SIZE + len > RESUME_AREA_SIZE) throw new ResumeStateError(`resume state body of ${len} bytes runs past the area`);
  const body = Buffer.from(mem.readPhys(at + HEADER_SIZE, len));
  if (crc32(body) !== v.getUint32(0x10, true)) throw new ResumeStateError('resume state checksum mismatch');
  let parsed: ResumeBody;
  try {
    parsed = JSON.parse(body.toString('utf8')) as ResumeBody;
  } catch (e) {
    throw new ResumeStateError(`resume state body: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { vcpus: v.getUint32(0x14, true), uptimeNs: Number(v.getBigUint64(0x18, true)), systemTimeNs: Number(v.getBigUint64(0x20, true)), body: parsed };
}

/** Clears the magic (a resumed or rebooted kernel must not find an old state). */
export function clearResumeState(mem: GuestPhysMemory): void {
  try {
    mem.writePhys(RESUME_AREA, new Uint8Array(8));
  } catch {
    // no pages there: nothing to clear
  }
}
