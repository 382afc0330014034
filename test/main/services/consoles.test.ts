import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { ConsoleStream } from '../../../engine/toolstack/console-stream';
import { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import type { ToolstackHost } from '../../../engine/toolstack/host-api';
import type { RateLimitTimers } from '../../../main/services/console-rate-limit';
import { ConsoleService } from '../../../main/services/consoles';
import { Lab } from '../../../main/services/lab';

const PV = 'name = "web1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n';
const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/** Rate-limit time that moves only when the test says. */
function fakeTimers(): RateLimitTimers & { advance(ms: number): void } {
  let now = 0;
  const due: { at: number; fn: () => void }[] = [];
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      due.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = due.indexOf(h as (typeof due)[number]);
      if (i >= 0) due.splice(i, 1);
    },
    advance(ms) {
      now += ms;
      for (const t of due.filter((x) => x.at <= now)) {
        due.splice(due.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

async function setup(opts: ConstructorParameters<typeof ConsoleService>[1] = {}): Promise<{ lab: Lab; host: EmbeddedHost; svc: ConsoleService }> {
  const lab = Lab.withDefaultHost();
  const host = lab.host('lab1') as EmbeddedHost;
  const svc = new ConsoleService(lab, opts);
  await svc.start();
  return { lab, host, svc };
}

describe('ConsoleService', () => {
  it('reads a domain from its creation, so a console opened later shows the boot', async () => {
    const { host, svc } = await setup();
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    const got: string[] = [];
    svc.subscribe('lab1', 1, (c) => got.push(c));
    expect(got).toHaveLength(1);
    expect(got[0]).toContain('Linux version 6.1.0-56-cloud-amd64');
    expect(got[0]!.endsWith('web1 login: ')).toBe(true);
    expect(svc.history('lab1', 1)).toBe(got[0]);
  });

  it('passes input to the guest and streams the answer, coalesced', async () => {
    const { host, svc } = await setup();
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    const got: string[] = [];
    svc.subscribe('lab1', 1, (c) => got.push(c));
    got.length = 0;
    await svc.input('lab1', 1, 'root\r');
    await svc.input('lab1', 1, 'uname -a\r');
    await tick();
    const text = got.join('');
    expect(text).toContain('uname -a\r\nLinux web1 6.1.0-56-cloud-amd64 #1 SMP PREEMPT_DYNAMIC');
    expect(text.endsWith('root@web1:~# ')).toBe(true);
    expect(got.length).toBeLessThanOrEqual(2);
  });

  it('gives every open view the output, and each new one the history', async () => {
    const { host, svc } = await setup();
    await host.createDomain({ configText: PV });
    await tick();
    const a: string[] = [];
    const b: string[] = [];
    const stopA = svc.subscribe('lab1', 1, (c) => a.push(c));
    svc.subscribe('lab1', 1, (c) => b.push(c));
    host.advanceClock(SECONDS(5));
    await tick();
    expect(a.join('')).toBe(b.join(''));
    stopA();
    await svc.input('lab1', 1, 'root\r');
    await tick();
    expect(b.join('').endsWith('root@web1:~# ')).toBe(true);
    expect(a.join('').endsWith('web1 login: ')).toBe(true);
  });

  it('holds the ring unread while a view is behind and reads on when it caught up (nothing lost)', async () => {
    const { host, svc } = await setup();
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    const got: string[] = [];
    let behind = false;
    let drain: (() => void) | undefined;
    svc.subscribe(
      'lab1',
      1,
      (c) => {
        got.push(c);
        return !behind;
      },
      (fn) => (drain = fn),
    );
    await svc.input('lab1', 1, 'root\r');
    await tick();
    behind = true;
    await svc.input('lab1', 1, 'seq 1 20000\r');
    await tick();
    const guest = host.guestOf(1)!;
    const sent = guest.bytesOut;
    host.advanceClock(SECONDS(1));
    await tick();
    // the view said it was behind: the ring is not read, the guest waits with its output
    expect(guest.bytesOut - sent).toBeLessThanOrEqual(2048);
    expect(guest.state).toBe('busy');
    expect(drain).toBeDefined();
    behind = false;
    drain!();
    host.advanceClock(SECONDS(1));
    await tick();
    const lines = got.join('').split('\r\n');
    const nums = lines.filter((l) => /^\d+$/.test(l)).map(Number);
    expect(nums).toEqual(Array.from({ length: 20000 }, (_, i) => i + 1));
    expect(got.join('').endsWith('root@web1:~# ')).toBe(true);
  });

  it("holds the ring once a view's unsent output fills its buffer: a flood goes out in bounded items, in order, nothing lost", async () => {
    const { host, svc } = await setup({ viewBufferChars: 64 * 1024 });
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    const got: string[] = [];
    svc.subscribe('lab1', 1, (c) => got.push(c));
    await svc.input('lab1', 1, 'root\r');
    await tick();
    got.length = 0;
    await svc.input('lab1', 1, 'seq 1 200000\r');
    const guest = host.guestOf(1)!;
    const sent = guest.bytesOut;
    // One clock step long enough for the whole flood: without the hold it would all be read in it.
    host.advanceClock(SECONDS(1));
    // the view's buffer filled: the ring is held, the guest waits with the rest of its output
    expect(guest.state).toBe('busy');
    expect(guest.bytesOut - sent).toBeLessThan(64 * 1024 + 2048 + 16 * 1024);
    for (let i = 0; i < 200 && guest.state === 'busy'; i++) {
      await tick();
      host.advanceClock(SECONDS(0.01));
    }
    await tick();
    expect(guest.state).toBe('shell');
    // each item is at most the buffer plus what waited in the ring and the guest's tty buffer
    // (a flooding guest refills that below 16 KiB with up to 16 KiB more)
    expect(Math.max(...got.map((c) => c.length))).toBeLessThan(64 * 1024 + 2048 + 32 * 1024);
    expect(got.length).toBeGreaterThan(10);
    const nums = got.join('').split('\r\n').filter((l) => /^\d+$/.test(l)).map(Number);
    expect(nums).toEqual(Array.from({ length: 200000 }, (_, i) => i + 1));
    expect(got.join('').endsWith('root@web1:~# ')).toBe(true);
  });

  it('brings the paced clock up to now as soon as a full view buffer went out, not a pacer interval later', async () => {
    let wall = 0;
    const pacerTimers = { now: () => wall, setInterval: () => 1, clearInterval: () => undefined }; // the interval never fires
    const { host, svc } = await setup({ viewBufferChars: 64 * 1024, pace: { timers: pacerTimers } });
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    svc.subscribe('lab1', 1, () => true);
    await svc.input('lab1', 1, 'root\rseq 1 200000\r');
    host.advanceClock(SECONDS(1)); // the flood fills the view's buffer: held
    const at = host.xen.clock.now;
    wall += 20;
    await tick(); // the buffer goes out, the hold ends, and the pacer steps without its interval
    expect(host.xen.clock.now - at).toBe(20_000_000);
  });

  it('decodes UTF-8 whole across ring reads and bursts (a character split between two reads)', async () => {
    let emit: (d: Uint8Array) => void = () => undefined;
    const stream: ConsoleStream = {
      domid: 1,
      onData: (l) => ((emit = l), () => undefined),
      onClose: () => () => undefined,
      write: () => undefined,
      close: () => undefined,
    };
    const host = { id: 'r1', kind: 'remote', console: async () => stream } as unknown as ToolstackHost;
    const lab = { host: () => host, all: () => [host], subscribe: () => () => undefined };
    const svc = new ConsoleService(lab);
    const got: string[] = [];
    svc.subscribe('r1', 1, (c) => got.push(c));
    await tick();
    const bytes = new TextEncoder().encode('é € ok'); // c3 a9 20 e2 82 ac 20 6f 6b
    emit(bytes.subarray(0, 1)); // half of é: a burst of its own
    await tick();
    emit(bytes.subarray(1, 4)); // the rest of é, a space, the first byte of €
    emit(bytes.subarray(4, 6));
    emit(bytes.subarray(6));
    await tick();
    expect(got.join('')).toBe('é € ok');
    expect(svc.history('r1', 1)).toBe('é € ok');
  });

  it('keeps only the newest history when a guest prints more than its buffer', async () => {
    const { host, svc } = await setup({ historyChars: 4096 });
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    await svc.input('lab1', 1, 'root\rcat /proc/cpuinfo\r');
    const h = svc.history('lab1', 1);
    expect(h.length).toBe(4096);
    expect(h.endsWith('root@web1:~# ')).toBe(true);
  });

  it('holds back a flooding guest past its allowance; it waits and nothing is lost', async () => {
    const timers = fakeTimers();
    const { host, svc } = await setup({ rateTimers: timers, rateLimit: { allowanceBytes: 64 * 1024, periodMs: 100 } });
    await host.createDomain({ configText: PV });
    await tick();
    host.advanceClock(SECONDS(5));
    let got = '';
    svc.subscribe('lab1', 1, (c) => (got += c));
    await svc.input('lab1', 1, 'root\ryes\r');
    host.advanceClock(SECONDS(0.01));
    await tick();
    expect(svc.throttled('lab1', 1)).toBe(1);
    const guest = host.guestOf(1)!;
    const before = guest.bytesOut;
    host.advanceClock(SECONDS(0.01));
    expect(guest.bytesOut).toBe(before); // the ring is full and not read: the guest waits
    timers.advance(100);
    host.advanceClock(SECONDS(0.001));
    expect(guest.bytesOut).toBeGreaterThan(before);
    await svc.input('lab1', 1, '\x03');
    timers.advance(1000);
    host.advanceClock(SECONDS(0.01));
    await tick();
    // Every byte the guest wrote reached the view, in order (the history holds the rest).
    expect(got.endsWith('^C\r\nroot@web1:~# ')).toBe(true);
    const ys = got.slice(got.indexOf('yes\r\n') + 5, got.lastIndexOf('^C'));
    expect(/^(y\r\n)+(y\r?)?$/.test(ys)).toBe(true); // ^C may cut the last line
  });

  it('tells open views when the domain goes, and follows a restarted one by its new domid', async () => {
    const { host, svc } = await setup();
    await host.createDomain({ configText: `${PV}on_reboot = "restart"\n` });
    await tick();
    host.advanceClock(SECONDS(5));
    let got = '';
    svc.subscribe('lab1', 1, (c) => (got += c));
    await svc.input('lab1', 1, 'root\rreboot\r');
    host.advanceClock(SECONDS(1));
    await tick();
    expect(got).toContain('reboot: Restarting system');
    expect(got.endsWith('[console closed: domain destroyed]\r\n')).toBe(true);
    host.advanceClock(SECONDS(5));
    let two = '';
    svc.subscribe('lab1', 2, (c) => (two += c));
    expect(two.endsWith('web1 login: ')).toBe(true);
  });

  it('reports an unknown domain in the view and refuses an unknown host', async () => {
    const { svc } = await setup();
    let got = '';
    svc.subscribe('lab1', 42, (c) => (got += c));
    await tick();
    expect(got).toContain('[console: Domain 42:Non-existant domain]');
    expect(() => svc.subscribe('nosuch', 1, () => {})).toThrow(/no host "nosuch"/);
  });
});
