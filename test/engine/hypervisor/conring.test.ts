import { describe, expect, it } from 'vitest';
import { ConsoleRing } from '../../../engine/hypervisor/conring';

describe('ConsoleRing (conring, xl dmesg)', () => {
  it('prefixes hypervisor lines with (XEN) and reads incrementally', () => {
    const r = new ConsoleRing();
    r.printk('Xen version 4.17');
    const a = r.read();
    expect(a.text).toBe('(XEN) Xen version 4.17\n');
    r.printk('Brought up 8 CPUs');
    expect(r.read({ from: a.next }).text).toBe('(XEN) Brought up 8 CPUs\n');
  });

  it('keeps only the last `size` bytes and honours clear', () => {
    const r = new ConsoleRing(1024);
    for (let i = 0; i < 200; i++) r.printk(`line ${i}`);
    const t = r.read().text;
    expect(t.length).toBe(1024);
    expect(t.endsWith('(XEN) line 199\n')).toBe(true);
    expect(t).not.toContain('(XEN) line 0\n');
    r.read({ clear: true });
    expect(r.read().text).toBe('');
    r.printk('after');
    expect(r.read().text).toBe('(XEN) after\n');
  });
});
