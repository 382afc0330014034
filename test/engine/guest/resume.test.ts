import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import { kva } from '../../../engine/guest/kernel-image';
import { readResumeState, RESUME_AREA, writeResumeState } from '../../../engine/guest/resume-state';
import { RESUME_SYMBOLS } from '../../../engine/guest/vcpu-registers';
import { ByteReader } from '../../../engine/toolstack/migration/byte-stream';
import { openSaveFileForRead } from '../../../engine/toolstack/migration/save-file';
import { readXlSaveHeader } from '../../../engine/toolstack/migration/xl-save-header';
import { nextLibxlSection, readLibxlHeader } from '../../../engine/toolstack/migration/libxl-stream';
import { readLibxcStream } from '../../../engine/toolstack/migration/libxc-restore';
import { XenbusState } from '../../../engine/xenstore/layout';

const dir = mkdtempSync(join(tmpdir(), 'xendeck-resume-'));
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

const DEVICES = 'disk = [ "/var/lib/xen/images/r.img,raw,xvda,rw" ]\nvif = [ "bridge=xenbr0" ]\n';

/** A console reader over the host's console stream of `domid`. */
async function screen(h: EmbeddedHost, domid: number): Promise<{ text(): string; type(s: string): void }> {
  const con = await h.console(domid);
  const dec = new TextDecoder();
  let all = '';
  con.onData((d) => (all += dec.decode(d, { stream: true })));
  return { text: () => all, type: (s) => con.write(s) };
}

async function node(h: EmbeddedHost, path: string): Promise<string | undefined> {
  const parent = path.slice(0, path.lastIndexOf('/'));
  return (await h.xenstoreList(parent)).children.find((c) => c.path === path)?.value;
}

function uptimeSeconds(text: string): number {
  const m = /up (?:(\d+) min|(\d+):(\d+))/.exec(text);
  if (!m) throw new Error(`no uptime in ${JSON.stringify(text.slice(-3000))}`);
  return m[1] !== undefined ? Number(m[1]) * 60 : Number(m[2]) * 3600 + Number(m[3]) * 60;
}

/** The vCPU registers the image carries, read back with the stream reader. */
function streamRegisters(file: string): { id: number; rip?: bigint; rax?: bigint; rsi?: bigint }[] {
  const f = openSaveFileForRead(file);
  try {
    const r = new ByteReader(f.source);
    readXlSaveHeader(r, file, () => {});
    readLibxlHeader(r);
    expect(nextLibxlSection(r)).toBe('libxc');
    const st = readLibxcStream(r, { header: () => {}, populate: () => {}, writePage: () => {}, cpuid: () => {} });
    return st.vcpus.map((v) => ({ id: v.id, ...(v.regs ? { rip: v.regs.rip, rax: v.regs.rax, rsi: v.regs.rsi } : {}) }));
  } finally {
    f.close();
  }
}

describe('a restored guest resumes where it was (issue 5/7: save / restore)', () => {
  for (const type of ['pv', 'hvm'] as const) {
    it(`${type.toUpperCase()}: no second boot on the console, the shell and its history go on, uptime continues, ps the same, frontends Connected again`, async () => {
      const h = new EmbeddedHost({ id: 'lab1' });
      await h.backendsReady;
      const cfg = `name = "r1"\ntype = "${type}"\nmemory = 256\nvcpus = 2\n${type === 'pv' ? 'kernel = "/boot/vmlinuz"\n' : ''}${DEVICES}`;
      const { domid } = await h.createDomain({ configText: cfg });
      await h.xenstore.settled();
      const before = await screen(h, domid!);
      for (let i = 0; i < 40; i++) {
        h.advanceClock(SECONDS(1));
        await settle();
      }
      before.type('root\r');
      h.advanceClock(SECONDS(1));
      before.type('echo marker-before\r');
      h.advanceClock(SECONDS(1));
      before.type('uptime\r');
      h.advanceClock(SECONDS(1));
      const upBefore = uptimeSeconds(before.text().slice(-3000));
      before.type('ps\r');
      h.advanceClock(SECONDS(1));
      const psBefore = before.text().slice(before.text().lastIndexOf('# ps\r'));
      expect(before.text().slice(-1500)).toContain('-sh');
      // saved in the middle of a foreground sleep: it goes on after the resume
      before.type('sleep 30\r');
      h.advanceClock(SECONDS(10));
      const guestBefore = h.guestOf(domid!)!;
      expect(guestBefore.frontends.map((f) => f.name)).toEqual(['xvda', 'enX0']);

      const file = join(dir, `r-${type}.save`);
      await h.save(domid!, file);
      // the vCPU context records carry registers now, not zeros: vCPU 0 in xen_suspend, rax 0
      const regs = streamRegisters(file);
      expect(regs.map((r) => r.id)).toEqual([0, 1]);
      expect(regs[0]!.rip).toBe(kva(RESUME_SYMBOLS.xenSuspendResume));
      expect(regs[0]!.rax).toBe(0n);
      expect(regs[0]!.rsi).toBe(kva(RESUME_AREA));
      expect(regs[1]!.rip).toBe(kva(RESUME_SYMBOLS.multiCpuStop));

      // time passes while the domain is saved
      h.advanceClock(SECONDS(120));
      const r = await h.restore(file);
      await h.xenstore.settled();
      const after = await screen(h, r.domid);
      for (let i = 0; i < 10; i++) {
        h.advanceClock(SECONDS(1));
        await settle();
      }
      // no firmware, no kernel boot, no login prompt: the shell is where it was, its
      // sleep with 20 s left
      expect(after.text()).not.toMatch(/Linux version|SeaBIOS|login:/);
      expect(after.text()).not.toContain('root@r1');
      h.advanceClock(SECONDS(11));
      expect(after.text()).toBe('root@r1:~# ');
      after.type('echo marker-after\r');
      h.advanceClock(SECONDS(1));
      expect(after.text()).toContain('marker-after\r\nroot@r1:~# ');
      after.type('uptime\r');
      h.advanceClock(SECONDS(1));
      const upAfter = uptimeSeconds(after.text().slice(after.text().lastIndexOf('uptime')));
      expect(upAfter).toBeGreaterThanOrEqual(upBefore + 120);
      after.type('ps\r');
      h.advanceClock(SECONDS(1));
      const psAfter = after.text().slice(after.text().lastIndexOf('# ps\r'));
      expect(psAfter).toContain('-sh');
      // the same processes (pids and commands) as before, plus the commands run since
      const procs = (t: string): string[] => t.split('\r\n').filter((l) => /^\s*\d+ /.test(l)).map((l) => l.trim().split(/\s+/).filter((_, i) => i === 0 || i >= 3).join(' ')).filter((l) => !/ (ps|uptime|echo|sleep|dmesg)\b/.test(l));
      expect(procs(psAfter)).toEqual(procs(psBefore));
      // dmesg keeps the first boot's lines and says it resumed
      after.type('dmesg\r');
      h.advanceClock(SECONDS(1));
      const dmesg = after.text().slice(after.text().lastIndexOf('# dmesg\r'));
      expect(dmesg).toContain('Restarting tasks ... done.');
      expect(dmesg).toContain('Freezing user space processes');
      // the frontends reconnected to the new domain's backends (xenbus resume)
      for (let i = 0; i < 5; i++) {
        h.advanceClock(SECONDS(1));
        await settle();
      }
      expect(await node(h, `/local/domain/${r.domid}/device/vbd/51712/state`)).toBe(String(XenbusState.Connected));
      expect(await node(h, `/local/domain/0/backend/vbd/${r.domid}/51712/state`)).toBe(String(XenbusState.Connected));
      expect(await node(h, `/local/domain/${r.domid}/device/vif/0/state`)).toBe(String(XenbusState.Connected));
      expect(h.guestOf(r.domid)!.frontends.map((f) => f.name)).toEqual(['xvda', 'enX0']);
      // the kernel cleared its resume area after reading it
      const mem = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: r.domid });
      expect(() => readResumeState(mem)).toThrow(/bad magic/);
    });
  }

  it('xl save -c: the original domain goes on as it was (the suspend is cancelled)', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const { domid } = await h.createDomain({ configText: 'name = "c1"\nmemory = 128\n' });
    await h.xenstore.settled();
    const s = await screen(h, domid!);
    h.advanceClock(SECONDS(30));
    s.type('root\r');
    h.advanceClock(SECONDS(1));
    await h.save(domid!, join(dir, 'c1.save'), { checkpoint: true });
    s.type('echo still-here\r');
    h.advanceClock(SECONDS(1));
    expect(s.text()).toContain('still-here\r\nroot@c1:~# ');
  });

  it('an image without a resume state (saved while the guest was still booting) boots the restored guest', async () => {
    const h = new EmbeddedHost({ id: 'lab1' });
    const { domid } = await h.createDomain({ configText: 'name = "b1"\nmemory = 128\n' });
    await h.xenstore.settled();
    const file = join(dir, 'b1.save');
    await h.save(domid!, file);
    const r = await h.restore(file);
    const s = await screen(h, r.domid);
    h.advanceClock(SECONDS(30));
    expect(s.text()).toContain('b1 login: ');
  });
});

describe('the resume area (docs/guest-resume-layout.md)', () => {
  it('round-trips a state and refuses a damaged one (checksum) or another version', () => {
    const bytes = new Uint8Array(0x2000000);
    const mem = { writePhys: (a: number, b: Uint8Array) => bytes.set(b, a), readPhys: (a: number, n: number) => bytes.slice(a, a + n) };
    const st = { vcpus: 2, uptimeNs: 5e9, systemTimeNs: 7e9, body: { shell: { state: 'shell' as const, shellPid: 231, fgPid: 0 }, tasks: [], nextPid: 240, dmesg: ['[    0.000000] x'], ttyPending: '', frontends: [] } };
    writeResumeState(mem, st);
    expect(Buffer.from(bytes.subarray(RESUME_AREA, RESUME_AREA + 8)).toString()).toBe('XDRESUME');
    expect(readResumeState(mem)).toEqual(st);
    bytes[RESUME_AREA + 0x40 + 3]! ^= 1;
    expect(() => readResumeState(mem)).toThrow(/checksum/);
    writeResumeState(mem, st);
    bytes[RESUME_AREA + 8] = 9;
    expect(() => readResumeState(mem)).toThrow(/version 9/);
  });
});
