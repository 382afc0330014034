import { describe, expect, it } from 'vitest';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

describe("Domain-0's console: the hypervisor console, live", () => {
  it('shows what the conring holds, then new lines as Xen prints them; keystrokes are dropped', async () => {
    const host = new EmbeddedHost({ id: 'lab1' });
    const con = await host.console(0);
    let text = '';
    con.onData((d) => (text += new TextDecoder().decode(d)));
    await new Promise((r) => setTimeout(r, 1));
    const dmesg = await host.dmesg();
    expect(dmesg.length).toBeGreaterThan(0);
    expect(text).toBe(dmesg.replace(/\n/g, '\r\n'));
    host.xen.conring.printk('a live line');
    expect(text.endsWith('(XEN) a live line\r\n')).toBe(true);
    con.write('x');
    con.close();
    host.xen.conring.printk('after close');
    expect(text).not.toContain('after close');
  });
});
