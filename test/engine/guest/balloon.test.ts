import { describe, expect, it } from 'vitest';
import { Clock, MILLISECS, SECONDS, type Timer } from '../../../engine/hypervisor/clock';
import { BALLOON_BATCH_PAGES, BalloonDriver } from '../../../engine/guest/balloon';
import { VcpuHotplug } from '../../../engine/guest/vcpu-hotplug';

/** A domain's memory as Xen keeps it: tot_pages under max_pages. */
function fakeDomain(tot: number, max: number) {
  const clock = new Clock();
  const d = { tot, max, calls: [] as string[] };
  const driver = new BalloonDriver({
    after: (ns: number, fn: () => void): Timer => clock.after(ns, fn),
    totPages: () => d.tot,
    pageKiB: 4,
    populate: (n) => {
      const got = Math.max(0, Math.min(n, d.max - d.tot));
      d.tot += got;
      d.calls.push(`+${got}`);
      return got;
    },
    decrease: (n) => {
      d.tot -= n;
      d.calls.push(`-${n}`);
      return n;
    },
  });
  return { clock, d, driver };
}

describe('balloon driver (drivers/xen/balloon.c)', () => {
  it('moves to the target in batches of one frame_list, both ways, then rests', () => {
    const { clock, d, driver } = fakeDomain(1000, 5000);
    driver.setTargetKiB(4 * 100);
    clock.runFor(SECONDS(1));
    expect(d.tot).toBe(100);
    expect(d.calls).toEqual(['-512', '-388']);
    driver.setTargetKiB(4 * 1200);
    clock.runFor(SECONDS(1));
    expect(d.tot).toBe(1200);
    expect(d.calls.slice(2)).toEqual(['+512', '+512', '+76']);
    expect(driver.state).toBe('done');
    expect(BALLOON_BATCH_PAGES).toBe(512);
  });

  it('takes time: a batch per 4 ms', () => {
    const { clock, d, driver } = fakeDomain(10_000, 20_000);
    driver.setTargetKiB(0);
    clock.runFor(MILLISECS(9));
    expect(d.tot).toBe(10_000 - 3 * 512);
  });

  it('retries with a doubling delay when Xen refuses to grow it, and gets there once it may', () => {
    const { clock, d, driver } = fakeDomain(100, 300);
    driver.setTargetKiB(4 * 1000);
    clock.runFor(MILLISECS(100));
    expect([d.tot, driver.state]).toEqual([300, 'retry']);
    d.max = 1000;
    clock.runFor(SECONDS(4));
    expect([d.tot, driver.state]).toEqual([1000, 'done']);
  });
});

describe('vCPU hotplug (drivers/xen/cpu_hotplug.c)', () => {
  function fakeVcpus(n: number, up: number) {
    const online = Array.from({ length: n }, (_, i) => i < up);
    const log: string[] = [];
    const held: (() => void)[] = [];
    let paused = false;
    const hp = new VcpuHotplug({
      maxVcpus: n,
      up: (v) => (online[v] = true),
      down: (v) => (online[v] = false),
      isUp: (v) => online[v]!,
      whenRunning: (fn) => (paused ? held.push(fn) : fn()),
      log: (l) => log.push(l),
    });
    return { online, log, hp, pause: (p: boolean) => (paused = p), held };
  }

  it('follows availability, keeps CPU 0, logs offlining and unknown states', () => {
    const f = fakeVcpus(4, 2);
    f.hp.availabilityChanged(new Map([[0, 'offline'], [1, 'offline'], [2, 'online'], [3, 'bogus'], [9, 'online']]));
    expect(f.online).toEqual([true, false, true, false]);
    expect(f.log).toEqual(['smpboot: CPU 1 is now offline', 'XENBUS: unknown state(bogus) on CPU3']);
  });

  it('waits while the domain is paused', () => {
    const f = fakeVcpus(2, 1);
    f.pause(true);
    f.hp.availabilityChanged(new Map([[1, 'online']]));
    expect(f.online).toEqual([true, false]);
    f.held.forEach((fn) => fn());
    expect(f.online).toEqual([true, true]);
  });
});
