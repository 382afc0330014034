import { describe, expect, it } from 'vitest';
import { diffDomains, DomainWatch, type DomainSnapshot } from '../../../engine/remote/domain-watch';
import { parseXlList } from '../../../engine/remote/parse/xl-list';
import type { LineStream } from '../../../engine/remote/transport';
import type { RemoteDomain } from '../../../engine/remote/types';
import { realOut } from './fixtures';

const DOM0_ONLY = parseXlList(realOut('xl-list'));
const WITH_GUEST = parseXlList(realOut('xl-list-guest'));
const PAUSED = [WITH_GUEST[0] as RemoteDomain, ...parseXlList(realOut('xl-pause'))];

class FakeLineStream implements LineStream {
  private readonly lines = new Set<(l: string) => void>();
  private readonly closes = new Set<(c: number | null, e: string) => void>();
  closed = false;
  emit(line: string): void { for (const l of this.lines) l(line); }
  end(): void { this.closed = true; for (const c of this.closes) c(null, 'connection lost'); }
  onLine(l: (line: string) => void): () => void { this.lines.add(l); return () => this.lines.delete(l); }
  onClose(l: (c: number | null, e: string) => void): () => void { this.closes.add(l); return () => this.closes.delete(l); }
  close(): void { this.closed = true; }
}

function source(lists: RemoteDomain[][], watch: boolean) {
  const streams: FakeLineStream[] = [];
  const commands: string[] = [];
  let i = 0;
  return {
    streams,
    commands,
    src: {
      domainList: () => Promise.resolve(lists[Math.min(i++, lists.length - 1)] as RemoteDomain[]),
      openWatch: (command: string) => {
        commands.push(command);
        if (!watch) return null;
        const s = new FakeLineStream();
        streams.push(s);
        return Promise.resolve(s);
      },
    },
  };
}

describe('diffDomains', () => {
  it('reports introduced, released and changed domains, ignoring CPU time', () => {
    expect(diffDomains(DOM0_ONLY, WITH_GUEST).map((c) => `${c.type} ${c.domain.name}`)).toEqual(['introduced xendeck-pv']);
    expect(diffDomains(WITH_GUEST, DOM0_ONLY).map((c) => `${c.type} ${c.domain.name}`)).toEqual(['released xendeck-pv']);
    const changed = diffDomains(WITH_GUEST, PAUSED);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ type: 'changed', domain: { state: { paused: true } }, before: { state: { paused: false } } });
    const later = WITH_GUEST.map((d) => ({ ...d, cpuTimeS: d.cpuTimeS + 10 }));
    expect(diffDomains(WITH_GUEST, later)).toEqual([]);
  });
});

describe('DomainWatch', () => {
  it('sets the xenstore watches on @introduceDomain and @releaseDomain and refreshes when they fire', async () => {
    const { src, streams, commands } = source([DOM0_ONLY, DOM0_ONLY, WITH_GUEST], true);
    const seen: DomainSnapshot[] = [];
    const w = new DomainWatch(src, (s) => seen.push(s), { pollMs: 3_600_000 });
    await w.start();
    expect(commands).toEqual(['xenstore-watch @introduceDomain @releaseDomain']);
    expect(w.watching).toBe(true);
    expect(seen.map((s) => [s.cause, s.domains.length])).toEqual([['initial', 1]]);
    // xenstore-watch prints each path once when the watch is set: nothing changed
    streams[0]?.emit('@introduceDomain');
    await w.idle();
    expect(seen).toHaveLength(1);
    streams[0]?.emit('@introduceDomain');
    await w.idle();
    expect(seen.at(-1)?.cause).toBe('watch');
    expect(seen.at(-1)?.changes.map((c) => c.type)).toEqual(['introduced']);
    w.stop();
    expect(streams[0]?.closed).toBe(true);
  });

  it('polls only when the host has no xenstore-watch, and reopens a watch that died', async () => {
    const none = source([DOM0_ONLY], false);
    const w1 = new DomainWatch(none.src, () => undefined, { pollMs: 3_600_000 });
    await w1.start();
    expect(w1.watching).toBe(false);
    w1.stop();

    const some = source([DOM0_ONLY], true);
    const w2 = new DomainWatch(some.src, () => undefined, { pollMs: 3_600_000 });
    await w2.start();
    some.streams[0]?.end();
    expect(w2.watching).toBe(false);
    w2.stop();
  });

  it('reports refresh errors and keeps going', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const w = new DomainWatch(
      { domainList: () => (fail ? Promise.reject(new Error('xl list failed')) : Promise.resolve(DOM0_ONLY)), openWatch: () => null },
      () => undefined,
      { pollMs: 3_600_000, onError: (e) => errors.push(e) },
    );
    await w.start();
    expect(errors).toHaveLength(1);
    fail = false;
    await w.refresh();
    expect(w.current).toHaveLength(1);
    w.stop();
  });
});
