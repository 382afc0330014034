import { describe, expect, it } from 'vitest';
import { Kconfig } from '../../../engine/hypervisor/kconfig';
import { XenError } from '../../../engine/hypervisor/errno';

describe('Kconfig', () => {
  it('has Xen defaults and writes a .config', () => {
    const k = new Kconfig();
    expect(k.enabled('SCHED_CREDIT2')).toBe(true);
    expect(k.enabled('ARGO')).toBe(false);
    expect(k.toDotConfig()).toContain('CONFIG_LIVEPATCH=y\n');
    expect(k.toDotConfig()).toContain('# CONFIG_ARGO is not set\n');
  });

  it('refuses a compiled-out feature with EOPNOTSUPP naming the symbol', () => {
    const k = new Kconfig({ LIVEPATCH: false });
    try {
      k.require('LIVEPATCH', 'live patching');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(XenError);
      expect((e as XenError).code).toBe('EOPNOTSUPP');
      expect((e as XenError).hint).toBe('CONFIG_LIVEPATCH is not set');
    }
  });

  it('checks dependencies and unknown symbols', () => {
    expect(() => new Kconfig({ HVM: false })).toThrowError(/CONFIG_MEM_ACCESS depends on CONFIG_HVM/);
    expect(new Kconfig({ HVM: false, MEM_ACCESS: false }).enabled('HVM')).toBe(false);
    expect(() => new Kconfig({ PV: false, HVM: false, MEM_ACCESS: false })).toThrowError(/CONFIG_PV or CONFIG_HVM/);
    expect(() => new Kconfig({ NOPE: true })).toThrowError(/unknown Kconfig symbol CONFIG_NOPE/);
  });
});
