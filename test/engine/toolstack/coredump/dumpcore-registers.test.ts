/**
 * A core dump's .xen_prstatus carries the same vcpu_guest_context the save stream does:
 * a guest left suspended by `xl save -p` is dumped with its vCPUs where suspend stopped
 * them (vCPU 0 in xen_suspend pointing at its resume area, the others in multi_cpu_stop);
 * a running guest's contexts carry the flags only (the model has no registers for it).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kva } from '../../../../engine/guest/kernel-image';
import { RESUME_AREA } from '../../../../engine/guest/resume-state';
import { modelledRegisters, RESUME_SYMBOLS } from '../../../../engine/guest/vcpu-registers';
import { readXenCore } from '../../../../engine/toolstack/coredump/xc-core-reader';
import { EmbeddedHost } from '../../../../engine/toolstack/embedded-host';
import { decodeVcpuGuestContext } from '../../../../engine/toolstack/migration/pv-vcpu-context';

const PV = 'name = "r1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 2\n';

describe('xl dump-core: .xen_prstatus from the modelled registers', () => {
  it('a PV guest saved with -p: vCPU 0 in xen_suspend (rax 0, rsi the resume area), vCPU 1 in multi_cpu_stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xendeck-core-regs-'));
    const h = new EmbeddedHost({ id: 'lab1' });
    await h.backendsReady;
    const { domid } = await h.createDomain({ configText: PV });
    const running = readXenCore(readFileSync((await h.coreDump(domid!, join(dir, 'running.core'))).file));
    expect(running.vcpuContexts.map((c) => decodeVcpuGuestContext(c).regs.rip)).toEqual([0n, 0n]);
    expect(running.vcpuContexts.every((c) => decodeVcpuGuestContext(c).online && decodeVcpuGuestContext(c).inKernel)).toBe(true);

    await h.save(domid!, join(dir, 'r1.save'), { paused: true });
    const core = readXenCore(readFileSync((await h.coreDump(domid!, join(dir, 'r1.core'))).file));
    const [v0, v1] = core.vcpuContexts.map(decodeVcpuGuestContext);
    expect(v0!.regs).toEqual(modelledRegisters(0, RESUME_AREA));
    expect(v0!.regs.rip).toBe(kva(RESUME_SYMBOLS.xenSuspendResume));
    expect(v0!.regs.rax).toBe(0n);
    expect(v0!.regs.rsi).toBe(kva(RESUME_AREA));
    expect(v1!.regs.rip).toBe(kva(RESUME_SYMBOLS.multiCpuStop));
    expect(v0!.online && v0!.inKernel).toBe(true);

    await h.unpause(domid!);
    const after = readXenCore(readFileSync((await h.coreDump(domid!, join(dir, 'after.core'))).file));
    expect(decodeVcpuGuestContext(after.vcpuContexts[0]!).regs.rip).toBe(0n);
  });
});
