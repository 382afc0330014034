/** `xl trigger`: XEN_DOMCTL_sendtrigger as Xen 4.17's x86 domctl takes it, and what the guest does. */
import { describe, expect, it } from 'vitest';
import { HVM, PV, rig } from './guest-harness';
import { newLab, writeGuestConfig, xl } from '../cli/xl-harness';

describe('xl trigger', () => {
  it('nmi: the guest kernel reports an unknown NMI on that vCPU and goes on', async () => {
    const g = await rig(PV);
    await g.login();
    await g.host.sendTrigger('web1', 'nmi', 1);
    const t = g.take();
    expect(t).toMatch(/\] Uhhuh\. NMI received for unknown reason 00 on CPU 1\.\r\n/);
    expect(t).toContain('Dazed and confused, but trying to continue');
    expect((await g.host.domain('web1')).state).not.toContain('s');
  });

  it('power: an HVM guest shuts down in order (ACPI power button); a PV guest has none (EINVAL)', async () => {
    const h = await rig(`${HVM}on_poweroff = "preserve"\n`);
    await h.login();
    await h.host.sendTrigger('win1', 'power');
    expect(h.take()).toContain('Requesting system poweroff');
    h.run(1);
    expect((await h.host.domain('win1')).shutdownReason).toBe('poweroff');
    const p = await rig(PV);
    await expect(p.host.sendTrigger('web1', 'power')).rejects.toMatchObject({ code: 'EINVAL', message: "Send trigger 'power' failed" });
  });

  it('reset and init are ENOSYS on x86; a vCPU the domain does not have is ESRCH', async () => {
    const g = await rig(PV);
    await expect(g.host.sendTrigger('web1', 'reset')).rejects.toMatchObject({ code: 'ENOSYS' });
    await expect(g.host.sendTrigger('web1', 'init')).rejects.toMatchObject({ code: 'ENOSYS' });
    await expect(g.host.sendTrigger('web1', 'nmi', 7)).rejects.toMatchObject({ code: 'ESRCH' });
  });

  it("xl's words: an unknown trigger exits 1; libxl's refusal is a log line and exit 0", async () => {
    const lab = newLab();
    await xl(lab, 'create', writeGuestConfig(lab, 'g1'));
    expect(await xl(lab, 'trigger', 'g1', 'poke')).toEqual({ code: 1, stdout: '', stderr: 'Invalid trigger "poke"\n' });
    expect(await xl(lab, 'trigger', 'g1', 'power')).toEqual({
      code: 0,
      stdout: '',
      stderr: "libxl: error: libxl_domain.c:2207:libxl_send_trigger: Domain 1:Send trigger 'power' failed: Invalid argument\n",
    });
    expect(await xl(lab, 'trigger', 'g1', 'nmi', 'x')).toEqual({ code: 0, stdout: '', stderr: 'Invalid vcpuid, using default vcpuid=0.\n\n' });
  });
});
