import { describe, expect, it } from 'vitest';
import { newLab, xl } from './xl-harness';

describe('xl debug-keys', () => {
  it("prints nothing itself; Xen's answer is in xl dmesg, and stays there across runs (journal)", async () => {
    const lab = newLab();
    expect(await xl(lab, 'debug-keys', 'h')).toEqual({ code: 0, stdout: '', stderr: '' });
    const dmesg = (await xl(lab, 'dmesg')).stdout;
    expect(dmesg).toContain("(XEN) 'h' pressed -> showing installed handlers\n(XEN)  key 'h' (ascii '68') => show this message\n");
  });

  it('needs one operand and, as main_debug_keys(), sends only the first', async () => {
    expect((await xl(newLab(), 'debug-keys')).code).not.toBe(0);
    const lab = newLab();
    expect((await xl(lab, 'debug-keys', 'h', 'q')).code).toBe(0);
    const dmesg = (await xl(lab, 'dmesg')).stdout;
    expect(dmesg).toContain("'h' pressed");
    expect(dmesg).not.toContain("'q' pressed");
  });

  it("refuses keys Xen's key table cannot hold with xl's words", async () => {
    const r = await xl(newLab(), 'debug-keys', 'h é');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('debug keys must be printable ASCII characters, got "h é"\ncannot send debug keys: h é\n');
  });
});
