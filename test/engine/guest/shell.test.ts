import { describe, expect, it } from 'vitest';
import { PV, PVH, rig } from './guest-harness';

describe('guest login and shell', () => {
  it('logs root in without a password and shows a prompt', async () => {
    const g = await rig(PV);
    g.run(5);
    g.take();
    g.type('root\r');
    const t = g.take();
    expect(t).toContain('root\r\n'); // echoed
    expect(t).toContain('Linux web1 6.1.0-56-cloud-amd64');
    expect(t.endsWith('root@web1:~# ')).toBe(true);
  });

  it('refuses other users after a password prompt that does not echo', async () => {
    const g = await rig(PV);
    g.run(5);
    g.take();
    g.type('admin\rsecret\r');
    const t = g.take();
    expect(t).toContain('Password: ');
    expect(t).not.toContain('secret');
    expect(t).toContain('Login incorrect');
    expect(t.endsWith('web1 login: ')).toBe(true);
  });

  it('answers uname -a', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('uname -a\r');
    expect(g.take()).toBe('uname -a\r\nLinux web1 6.1.0-56-cloud-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.140-1 (2025-05-22) x86_64 GNU/Linux\r\nroot@web1:~# ');
    g.type('uname -r\r');
    expect(g.take()).toContain('\r\n6.1.0-56-cloud-amd64\r\n');
  });

  it('lists its vCPUs in /proc/cpuinfo and its memory in free', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('cat /proc/cpuinfo\r');
    const cpu = g.take();
    expect(cpu.match(/^processor\t: \d+/gm)).toEqual(['processor\t: 0', 'processor\t: 1']);
    expect(cpu).toContain('flags\t\t: fpu');
    expect(cpu).toContain(' hypervisor ');
    expect(cpu).toContain('cpu MHz\t\t: 3000.000');
    g.type('free\r');
    const mem = g.take();
    const total = Number(/Mem:\s+(\d+)/.exec(mem)?.[1]);
    expect(total).toBeGreaterThan(450_000);
    expect(total).toBeLessThanOrEqual(512 * 1024);
  });

  it('shows uptime from the simulated clock, ps and dmesg', async () => {
    const g = await rig(PVH);
    await g.login();
    g.run(120);
    g.take();
    g.type('uptime\r');
    expect(g.take()).toMatch(/ 00:02:0\d up 2 min, {2}0 users, {2}load average: 0\.00, 0\.00, 0\.00\r\n/);
    g.type('ps\r');
    const ps = g.take();
    expect(ps).toContain('PID   USER     TIME  COMMAND');
    expect(ps).toContain('[xenwatch]');
    expect(ps).toMatch(/\d+ root\s+0:00 ps\r\n/);
    g.type('dmesg\r');
    const dm = g.take();
    expect(dm).toContain('[    0.000000] Linux version');
    expect(dm).toContain('Hypervisor detected: Xen PVH');
  });

  it('says "not found" for an unknown command', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('frobnicate --now\r');
    expect(g.take()).toBe('frobnicate --now\r\n-sh: frobnicate: not found\r\nroot@web1:~# ');
    // ash's status for a command it cannot find; xl is Domain 0's (xen-utils), not a domU's
    g.type('echo $?\r');
    expect(g.take()).toBe('echo $?\r\n127\r\nroot@web1:~# ');
    g.type('xl list\r');
    expect(g.take()).toBe('xl list\r\n-sh: xl: not found\r\nroot@web1:~# ');
    g.type('true\r');
    g.type('echo "rc=$?"\r');
    expect(g.take()).toContain('echo "rc=$?"\r\nrc=0\r\n');
  });

  it('sleeps on the simulated clock, keeps what is typed meanwhile, and ^C interrupts', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('sleep 2\r');
    g.type('hostname\r');
    g.run(1);
    expect(g.take()).toBe('sleep 2\r\nhostname\r\n');
    g.run(1.5);
    expect(g.take()).toBe('root@web1:~# web1\r\nroot@web1:~# ');
    g.type('sleep 100\r');
    g.type('\x03');
    expect(g.take()).toBe('sleep 100\r\n^C\r\nroot@web1:~# ');
  });

  it('edits the line with backspace and ignores arrow keys', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('whoamx\x7fi\x1b[A\r');
    expect(g.take()).toBe('whoamx\b \bi\r\nroot\r\nroot@web1:~# ');
  });

  it('logs out with exit and shows the getty again', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('exit\r');
    expect(g.take()).toBe('exit\r\n\r\nDebian GNU/Linux 12 web1 hvc0\r\n\r\nweb1 login: ');
  });

  it('floods with yes until ^C; the guest waits while the ring is not read', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('yes\r');
    g.run(0.01);
    expect(g.take().length).toBeGreaterThan(100_000);
    g.console.pause?.();
    g.run(0.01); // the ring fills
    const out = g.host.guestOf(g.domid)!.bytesOut;
    g.run(0.01);
    expect(g.host.guestOf(g.domid)!.bytesOut).toBe(out);
    g.console.resume?.();
    g.type('\x03');
    g.run(0.01);
    expect(g.take().endsWith('^C\r\nroot@web1:~# ')).toBe(true);
  });
});

describe('seq', () => {
  it('prints the numbers, every one, then the prompt', async () => {
    const g = await rig(PV);
    await g.login();
    g.type('seq 100000\r');
    g.run(1);
    const t = g.take();
    const lines = t.split('\r\n');
    expect(lines[0]).toBe('seq 100000');
    expect(lines.slice(1, -1)).toEqual(Array.from({ length: 100000 }, (_, i) => String(i + 1)));
    expect(lines.at(-1)).toBe('root@web1:~# ');
    g.type('seq 3 5\r');
    g.run(0.001);
    expect(g.take()).toBe('seq 3 5\r\n3\r\n4\r\n5\r\nroot@web1:~# ');
  });
});

describe('seq options', () => {
  it('formats with -f, pads with -w and separates with -s', async () => {
    const g = await rig(PV);
    await g.login();
    for (const cmd of ["seq -f 'line %g' 1 2", 'seq -w 8 10', 'seq -s , 3']) {
      g.type(`${cmd}\r`);
      g.run(0.01);
    }
    expect(g.take()).toBe("seq -f 'line %g' 1 2\r\nline 1\r\nline 2\r\nroot@web1:~# seq -w 8 10\r\n08\r\n09\r\n10\r\nroot@web1:~# seq -s , 3\r\n1,2,3\r\nroot@web1:~# ");
  });
});
