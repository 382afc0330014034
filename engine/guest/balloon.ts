/**
 * The guest's balloon driver, as Linux's drivers/xen/balloon.c and xen-balloon.c work:
 *
 * - The toolstack writes the wanted size to ~/memory/target in KiB (`xl mem-set`:
 *   libxl_set_memory_target); the driver's xenstore watch turns it into a page target
 *   (balloon_set_new_target).
 * - A worker (balloon_process) then moves the domain's pages toward it: above the
 *   target it hands frames back to Xen with XENMEM_decrease_reservation, below it asks
 *   for more with XENMEM_populate_physmap (Linux: increase_reservation). Each hypercall
 *   carries at most one frame_list, PAGE_SIZE / sizeof(unsigned long) = 512 frames; the
 *   worker yields between batches (cond_resched), so a big change takes a while.
 * - Xen refuses to grow a domain past its max_pages (or when the host is out of free
 *   memory): the worker stops with BP_EAGAIN and tries again after schedule_delay
 *   seconds, doubling it up to max_schedule_delay (32 s), as balloon_process does.
 *
 * The time each batch takes is this model's own figure (BALLOON_BATCH_NS, 4 ms for 2 MiB:
 * about 512 MiB/s, the order of what a Linux guest achieves), so the GUI can show the
 * balloon moving.
 */
import { MILLISECS, SECONDS, type Timer } from '../hypervisor/clock';

/** frame_list: one page of unsigned longs. */
export const BALLOON_BATCH_PAGES = 512;
export const BALLOON_BATCH_NS = MILLISECS(4);
/** balloon_stats.schedule_delay starts at 1 s and doubles up to max_schedule_delay. */
const FIRST_RETRY_S = 1;
const MAX_RETRY_S = 32;

export interface BalloonPlatform {
  /** Run `fn` after `delayNs` of the guest's time (waits while the domain is paused). */
  after(delayNs: number, fn: () => void): Timer;
  /** The domain's tot_pages now. */
  totPages(): number;
  /**
   * XENMEM_populate_physmap: the pages Xen gave, which may be fewer than asked (it stops
   * at the first extent past max_pages or the host's free memory) or none.
   */
  populate(pages: number): number;
  /** XENMEM_decrease_reservation: the pages freed. */
  decrease(pages: number): number;
  pageKiB: number;
  /** The worker stopped: at the target, or waiting to retry (the toolstack announces the new size). */
  settled?(state: 'done' | 'retry'): void;
}

export type BalloonState = 'done' | 'moving' | 'retry';

export class BalloonDriver {
  private targetPages: number | undefined;
  private timer: Timer | undefined;
  private retryS = FIRST_RETRY_S;
  private state_: BalloonState = 'done';

  constructor(private readonly platform: BalloonPlatform) {}

  get state(): BalloonState {
    return this.state_;
  }

  /** The page target the driver works toward (undefined until the first target). */
  get target(): number | undefined {
    return this.targetPages;
  }

  /** The watch on ~/memory/target fired with `kib` (watch_target, balloon_set_new_target). */
  setTargetKiB(kib: number): void {
    this.targetPages = Math.floor(kib / this.platform.pageKiB);
    this.retryS = FIRST_RETRY_S;
    if (this.timer) return; // the worker is already scheduled and reads the new target
    this.schedule(0);
  }

  /** The domain is going away: nothing more to do. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.state_ = 'done';
  }

  private schedule(delayNs: number): void {
    this.timer = this.platform.after(delayNs, () => {
      this.timer = undefined;
      this.process();
    });
  }

  /** One batch of balloon_process: at most BALLOON_BATCH_PAGES toward the target. */
  private process(): void {
    const target = this.targetPages;
    if (target === undefined) return;
    const credit = target - this.platform.totPages();
    if (credit === 0) {
      this.state_ = 'done';
      this.platform.settled?.('done');
      return;
    }
    const n = Math.min(Math.abs(credit), BALLOON_BATCH_PAGES);
    const done = credit > 0 ? this.platform.populate(n) : this.platform.decrease(n);
    if (done <= 0) {
      // BP_EAGAIN: Xen gave nothing (max_pages reached, the host is short); back off
      if (this.state_ !== 'retry') this.platform.settled?.('retry');
      this.state_ = 'retry';
      this.schedule(SECONDS(this.retryS));
      this.retryS = Math.min(this.retryS * 2, MAX_RETRY_S);
      return;
    }
    this.retryS = FIRST_RETRY_S;
    this.state_ = 'moving';
    this.schedule(BALLOON_BATCH_NS);
  }
}
