import { describe, expect, it } from 'vitest';
import { openConsole } from './browser';

describe('the domain list recycles its rows while scrolling', () => {
  const c = openConsole(async (w) => {
    const host = w.server.lab.host('lab1');
    for (let i = 1; i <= 300; i++) await host.createDomain({ configText: `name = "vm${String(i).padStart(3, '0')}"\nmemory = 16\ntype = "pvh"\n` });
  });

  it('a row scrolled into view reuses the element of one scrolled out, and shows its own domain', async () => {
    const { page } = c.env;
    await page.getByRole('link', { name: 'Domains' }).click();
    await expect.poll(() => page.locator('[data-test=domain-count]').textContent()).toBe('301 of 301');
    // away from the top (the window then has its overscan on both sides), tag every rendered
    // row element, scroll a few screens, and count the rows that are new elements
    const fresh = (await page.evaluate(`(async () => {
      const body = document.querySelector('.body[tabindex="0"]');
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      body.scrollTop = 900;
      await frame();
      const rows = () => [...body.querySelectorAll('[role=row]')];
      const before = rows().length;
      rows().forEach((r) => (r.tagged = true));
      // a recycled row stays where it is in the DOM: no row is inserted, moved or removed
      // (only the rows' container is watched: a recycled row's cells do change their text)
      let moved = 0;
      const mo = new MutationObserver((l) => l.forEach((m) => (moved += [...m.addedNodes, ...m.removedNodes].filter((n) => n.nodeType === 1).length)));
      mo.observe(body.firstElementChild, { childList: true });
      for (let i = 0; i < 5; i++) {
        body.scrollTop += 300;
        await frame();
      }
      mo.disconnect();
      return { before, after: rows().length, untagged: rows().filter((r) => !r.tagged).length, movedRows: moved };
    })()`)) as { before: number; after: number; untagged: number; movedRows: number };
    expect(fresh.before).toBeGreaterThan(10);
    expect(fresh.untagged).toBe(0);
    expect(fresh.movedRows).toBe(0);
    // the recycled rows show the domains now in view, numbered in list order for assistive
    // technology (aria-rowindex: their DOM order is their slot's, which scrolling leaves alone)
    const shown = (await page.evaluate(`[...document.querySelectorAll('.body [role=row]')].map((r) => [Number(r.getAttribute('aria-rowindex')), Number(r.getAttribute('data-domid')), r.querySelector('.name')?.textContent ?? ''])`)) as [number, number, string][];
    expect(shown.some(([, domid]) => domid > 50)).toBe(true);
    for (const [rowindex, domid, name] of shown) {
      expect(rowindex).toBe(domid + 2); // sorted by ID: Domain-0 is the first data row (aria-rowindex 2)
      expect(name).toBe(`vm${String(domid).padStart(3, '0')}`);
    }
    const indexes = shown.map(([i]) => i).sort((a, b) => a - b);
    expect(indexes).toEqual(indexes.map((_, k) => indexes[0]! + k)); // one contiguous window of the list
  });
});
