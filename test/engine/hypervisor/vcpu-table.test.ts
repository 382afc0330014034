import { describe, expect, it } from 'vitest';
import { Vcpu, type VcpuOwner } from '../../../engine/hypervisor/vcpu';
import { NR_BLOCKED, R_NR, R_PROC, R_RS, R_SCHED_PRIV, R_SCHED_PRIV_LEN, ROW, RS_RUNNING, runstateChange, VcpuTable } from '../../../engine/hypervisor/vcpu-table';
import { MILLISECS } from '../../../engine/hypervisor/clock';

const owner = (): VcpuOwner => ({ domid: 1, domainPaused: () => false });

describe('VcpuTable: the host-wide rows of per-vCPU hot state', () => {
  it('moves a vCPU into a host row on bind: the vCPU and the row are one state from then on', () => {
    const v = new Vcpu(owner(), 0, 8, 0, true);
    v.setRunstate('running', MILLISECS(1));
    // only the scheduling core writes v->processor: here, straight into the vCPU's own row
    v.table.f[v.rowBase + R_PROC] = 5;
    const tab = new VcpuTable(4);
    const base = 3 * ROW;
    v.bind(tab, base);
    expect(v.table).toBe(tab);
    expect(v.rowBase).toBe(base);
    expect(tab.f[base + R_RS]).toBe(RS_RUNNING);
    expect(tab.f[base + R_PROC]).toBe(5);
    // the loop writes the row; the vCPU's accessors see it
    runstateChange(tab.f, base, 2, MILLISECS(4));
    tab.f[base + R_NR] = NR_BLOCKED;
    expect(v.runstate).toBe('blocked');
    expect(v.blockedByGuest).toBe(true);
    expect(v.runnable()).toBe(false);
    expect(v.runstateInfo(MILLISECS(6)).time).toEqual({ running: MILLISECS(3), runnable: MILLISECS(1), blocked: MILLISECS(2), offline: 0 });
  });

  it("leaves v->processor to the scheduling core: a vCPU's processor cannot be assigned", () => {
    const v = new Vcpu(owner(), 0, 8, 0, true);
    expect(() => {
      // @ts-expect-error read-only outside the scheduling core (sched-hooks.ts SchedVcpu)
      v.processor = 3;
    }).toThrow(TypeError);
    expect(v.processor).toBe(0);
  });

  it('keeps a vCPU state through growth of the table and after unbind', () => {
    const v = new Vcpu(owner(), 0, 8, 0, true);
    const tab = new VcpuTable(1);
    v.bind(tab, 0);
    v.setRunstate('running', MILLISECS(2));
    tab.ensure(64);
    expect(tab.f.length).toBeGreaterThanOrEqual(64 * ROW);
    expect(v.runstate).toBe('running');
    v.unbind();
    tab.f.fill(0); // the row is reused by someone else
    expect(v.runstate).toBe('running');
    expect(v.cpuTime(MILLISECS(5))).toBe(MILLISECS(3));
    expect(v.table).not.toBe(tab);
  });

  it("gives each row a scheduler-private region with an integer view of the same bytes, kept when the table grows", () => {
    const tab = new VcpuTable(3);
    const b = ROW + R_SCHED_PRIV;
    tab.f[b] = 1.5; // a scheduler's double ...
    tab.i[(b + 1) * 2] = -3; // ... and integers after it, in the same row
    tab.i[(b + R_SCHED_PRIV_LEN) * 2 - 1] = 42;
    expect(tab.i.buffer).toBe(tab.f.buffer);
    expect(tab.i.byteOffset).toBe(tab.f.byteOffset);
    expect(tab.f[b + R_SCHED_PRIV_LEN]).toBe(0); // the next row is untouched
    tab.ensure(100);
    expect(tab.f.length).toBeGreaterThanOrEqual(100 * ROW);
    expect(tab.i.buffer).toBe(tab.f.buffer);
    expect(tab.f[b]).toBe(1.5);
    expect(tab.i[(b + 1) * 2]).toBe(-3);
    expect(tab.i[(b + R_SCHED_PRIV_LEN) * 2 - 1]).toBe(42);
    // the region is the last of the row's numbers
    expect(R_SCHED_PRIV + R_SCHED_PRIV_LEN).toBe(ROW);
  });

  it('refuses a runstate change back in time and leaves the row as it was', () => {
    const tab = new VcpuTable(1);
    runstateChange(tab.f, 0, RS_RUNNING, 100);
    const before = Array.from(tab.f.subarray(0, ROW));
    expect(() => runstateChange(tab.f, 0, 1, 50)).toThrow(RangeError);
    expect(Array.from(tab.f.subarray(0, ROW))).toEqual(before);
    expect(tab.f[R_RS]).toBe(RS_RUNNING);
  });
});
