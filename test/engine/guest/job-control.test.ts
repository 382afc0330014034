import { describe, expect, it } from 'vitest';
import { PV, rig } from './guest-harness';

describe('job control on the guest console: ^C interrupts, ^D logs out', () => {
  it('^C stops stress: "^C", the prompt, and the scheduler accounts no more CPU to the workers', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('stress --cpu 2\r');
    g.run(5);
    expect(g.take()).toMatch(/dispatching hogs: 2 cpu, 0 io, 0 vm, 0 hdd\r\n$/);
    g.type('\x03');
    expect(g.take()).toBe('^C\r\nroot@web1:~# ');
    const at = (await g.host.domain(g.domid)).cpuTimeS;
    g.run(10);
    expect((await g.host.domain(g.domid)).cpuTimeS - at).toBeLessThan(0.5);
    g.type('ps\r');
    expect(g.take()).not.toMatch(/ stress\r\n/);
  });

  it('^C leaves top: no frame after it, the prompt back', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('top -d 1\r');
    g.run(2.5);
    expect(g.take().split('top - ').length - 1).toBe(3);
    g.type('\x03');
    expect(g.take()).toBe('^C\r\nroot@web1:~# ');
    g.run(5);
    expect(g.take()).toBe('');
  });

  it('^C drops a half-typed line; ^D on an empty line logs out, not on a typed one', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('uname');
    g.type('\x03');
    expect(g.take()).toBe('uname^C\r\nroot@web1:~# ');
    g.type('ls\x04');
    expect(g.take()).toBe('ls');
    g.type('\x15\x04');
    expect(g.take()).toBe('\b \b\b \b\r\nDebian GNU/Linux 12 web1 hvc0\r\n\r\nweb1 login: ');
    expect(g.host.guestOf(g.domid)?.state).toBe('login');
  });
});
