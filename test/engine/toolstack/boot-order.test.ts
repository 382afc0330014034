import { describe, expect, it } from 'vitest';
import { dryRunConfigJson } from '../../../engine/cli/xl/format/domain-config-json';
import { parseDomainConfig } from '../../../engine/toolstack/domain-build-info';
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

describe('boot and on_soft_reset (xl.cfg(5))', () => {
  it('keeps an HVM boot order as libxl u.hvm.boot and prints it under type.hvm', () => {
    const { buildInfo } = parseDomainConfig('name="pxe"\ntype="hvm"\nboot="nc"\n');
    expect(buildInfo.b_info.boot).toBe('nc');
    expect(dryRunConfigJson(buildInfo)).toMatchObject({ b_info: { 'type.hvm': { boot: 'nc' } } });
  });

  it('ignores boot for PV guests, as xl does', () => {
    expect(parseDomainConfig('name="p"\nboot="n"\n').buildInfo.b_info.boot).toBeUndefined();
  });

  it("refuses a device QEMU's PC cannot boot, or one given twice, naming file and line", () => {
    const bad = (boot: string): string => {
      try {
        parseDomainConfig(`name="x"\ntype="hvm"\nboot="${boot}"\n`, 'x.cfg');
      } catch (e) {
        if (e instanceof ToolstackError) return e.message;
        throw e;
      }
      throw new Error('accepted');
    };
    expect(bad('cz')).toMatch(/x\.cfg:3.*Invalid boot device for PC: 'z'/);
    expect(bad('cc')).toMatch(/Boot device 'c' was given twice/);
  });

  it('reads on_soft_reset, default soft-reset', () => {
    const a = parseDomainConfig('name="a"\n').buildInfo;
    expect(a.on_soft_reset).toBeUndefined();
    expect(dryRunConfigJson(a)).toMatchObject({ on_soft_reset: 'soft_reset' });
    const b = parseDomainConfig('name="b"\non_soft_reset="destroy"\n').buildInfo;
    expect(b.on_soft_reset).toBe('destroy');
  });
});
