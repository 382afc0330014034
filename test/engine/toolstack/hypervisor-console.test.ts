import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 1));

async function open(host: EmbeddedHost): Promise<{ con: Awaited<ReturnType<EmbeddedHost['console']>>; text: () => string; since: (mark: number) => string }> {
  const con = await host.console(0);
  let text = '';
  con.onData((d) => (text += new TextDecoder().decode(d)));
  await settle();
  return { con, text: () => text, since: (mark) => text.slice(mark) };
}

describe("Domain-0's console: the hypervisor console, live, with dom0's tty on it", () => {
  it('shows what the conring holds and dom0 getty, then new lines as Xen prints them', async () => {
    const host = new EmbeddedHost({ id: 'lab1', hostname: 'xenhost1' });
    const { con, text } = await open(host);
    const dmesg = await host.dmesg();
    expect(dmesg.length).toBeGreaterThan(0);
    expect(text()).toBe(`${dmesg.replace(/\n/g, '\r\n')}\r\nDebian GNU/Linux 12 xenhost1 hvc0\r\n\r\nxenhost1 login: `);
    host.xen.conring.printk('a live line');
    expect(text().endsWith('(XEN) a live line\r\n')).toBe(true);
    con.close();
    host.xen.conring.printk('after close');
    expect(text()).not.toContain('after close');
  });

  it("takes keystrokes to dom0: root logs in and dom0's shell answers, its output not in xl dmesg", async () => {
    const host = new EmbeddedHost({ id: 'lab1', hostname: 'xenhost1' });
    const { con, text } = await open(host);
    const mark = text().length;
    con.write('root\r');
    con.write('uname -n\r');
    con.write('cat /proc/xen/capabilities\r');
    const out = text().slice(mark);
    expect(out).toContain('root\r\nLinux xenhost1 6.1.0-56-cloud-amd64');
    expect(out).toContain('uname -n\r\nxenhost1\r\n');
    expect(out).toContain('cat /proc/xen/capabilities\r\ncontrol_d\r\nroot@xenhost1:~# ');
    expect(await host.dmesg()).not.toContain('uname');
    // xl is where a Xen host's tools run: a host wired without them says so, not pretended
    con.write('xl list\r');
    await settle();
    expect(text()).toContain('-sh: xl: not available in this Domain-0 (its host runs no toolstack for it');
  });

  it('keeps the host up when dom0 is told to power off; ^C and ^D work as in a domU', async () => {
    const host = new EmbeddedHost({ id: 'lab1', hostname: 'xenhost1' });
    const { con, text } = await open(host);
    con.write('root\rpoweroff\r');
    expect(text()).toContain("-sh: poweroff in Domain-0 would take the whole host down (Xen's hwdom_shutdown); not implemented in XenDeck");
    expect(text().endsWith('root@xenhost1:~# ')).toBe(true);
    expect((await host.listDomains()).map((d) => d.domid)).toContain(0);
    con.write('sleep 30\r');
    host.advanceClock(SECONDS(1));
    con.write('\x03');
    expect(text().endsWith('sleep 30\r\n^C\r\nroot@xenhost1:~# ')).toBe(true);
    con.write('\x04');
    expect(text().endsWith('\r\nDebian GNU/Linux 12 xenhost1 hvc0\r\n\r\nxenhost1 login: ')).toBe(true);
  });

  it("a second console sees dom0's recent output; dom0's tty is one for the host", async () => {
    const host = new EmbeddedHost({ id: 'lab1', hostname: 'xenhost1' });
    const a = await open(host);
    a.con.write('root\rhostname\r');
    const b = await open(host);
    expect(b.text()).toContain('hostname\r\nxenhost1\r\nroot@xenhost1:~# ');
    const markA = a.text().length;
    b.con.write('whoami\r');
    expect(a.since(markA)).toBe('whoami\r\nroot\r\nroot@xenhost1:~# ');
    expect(host.guestOf(0)?.state).toBe('shell');
  });
});
