import { describe, expect, it } from 'vitest';
import { newLab, xl } from './xl-harness';

describe('xl debug-keys', () => {
  it("prints nothing itself; Xen's answer is in xl dmesg, and stays there across runs (journal)", async () => {
    const lab = newLab();
    expect(await xl(lab, 'debug-keys', 'h')).toEqual({ code: 0, stdout: '', stderr: '' });
    const dmesg = (await xl(lab, 'dmesg')).stdout;
    expect(dmesg).toContain("(XEN) 'h' pressed -> showing installed handlers\n(XEN)  key 'h' (ascii '68') => show this message\n");
  });

  it("'r' puts the run queues in xl dmesg as Xen 4.17's dump_runq prints them", async () => {
    const lab = newLab();
    expect((await xl(lab, 'debug-keys', 'r')).code).toBe(0);
    const lines = (await xl(lab, 'dmesg')).stdout.split('\n');
    const at = lines.indexOf('(XEN) sched_smt_power_savings: disabled');
    expect(at).toBeGreaterThanOrEqual(0);
    const dump = lines.slice(at);
    expect(dump).toContain('(XEN) Scheduler: SMP Credit Scheduler rev2 (credit2)');
    // csched2_dump's "Domain info:": dom0 and one line for each of its units
    const info = dump.slice(dump.indexOf('(XEN) Domain info:') + 1);
    const rest = info.slice(1);
    const units = rest.slice(0, rest.findIndex((l) => !/^\(XEN\) \t +\d+: \[0\.\d+\] flags=/.test(l)));
    expect(info[0]).toBe(`(XEN) \tDomain: 0 w 256 c 0 v ${units.length}`);
    expect(units.length).toBeGreaterThan(0);
    expect(dump.filter((l) => /^\(XEN\) CPU\[\d{2,}\] current=d(\d+|\[IDLE\])v\d+, curr=d(\d+|\[IDLE\])v\d+, prev=NULL$/.test(l)).length).toBeGreaterThan(0);
    expect(dump.indexOf('(XEN) RUNQ:')).toBeLessThan(dump.indexOf('(XEN) CPUs info:'));
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
