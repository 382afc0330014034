import { describe, expect, it } from 'vitest';
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { EmbeddedHost } from '../../../engine/toolstack/embedded-host';
import type { ServerMessage } from '../../../main/api/envelope';
import { Router } from '../../../main/api/router';
import { ApiSession } from '../../../main/api/session';
import { ConsoleService } from '../../../main/services/consoles';
import { Lab } from '../../../main/services/lab';
import { topics } from '../../../main/api/contract';
import { decodeByteBatch } from '../../../main/api/byte-batch';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function rig(): Promise<{ s: ApiSession; sent: ServerMessage[]; host: EmbeddedHost }> {
  const lab = Lab.withDefaultHost();
  const consoles = new ConsoleService(lab);
  await consoles.start();
  const sent: ServerMessage[] = [];
  const s = new ApiSession(new Router({ lab, mode: 'serve', appVersion: 't', consoles, checkResults: true }), (m) => {
    sent.push(m);
    if (m.t === 'batch') void s.receive({ t: 'ack', id: m.id, seq: m.seq });
  });
  return { s, sent, host: lab.host('lab1') as EmbeddedHost };
}

function streamed(sent: ServerMessage[], id: number): string {
  return sent.flatMap((m) => (m.t === 'batch' && m.id === id ? (m.items as string[]) : [])).join('');
}

describe('console over the api', () => {
  it('sends a console batch as one binary frame to a transport that takes them, other messages as envelopes', async () => {
    const lab = Lab.withDefaultHost();
    const consoles = new ConsoleService(lab);
    await consoles.start();
    const sent: ServerMessage[] = [];
    const frames: Uint8Array[] = [];
    const s = new ApiSession(new Router({ lab, mode: 'serve', appVersion: 't', consoles }), (m) => sent.push(m), undefined, (f) => {
      frames.push(f);
      const m = decodeByteBatch(f);
      void s.receive({ t: 'ack', id: m.id, seq: m.seq });
    });
    const host = lab.host('lab1') as EmbeddedHost;
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\n' });
    await wait(0);
    host.advanceClock(SECONDS(5));
    await s.receive({ t: 'sub', id: 7, topic: 'console', params: { hostId: 'lab1', domid: 1 } });
    await s.receive({ t: 'sub', id: 8, topic: 'events', params: {} });
    await wait(40);
    expect(sent.filter((m) => m.t === 'batch' && m.id === 7)).toEqual([]);
    expect(sent).toContainEqual({ t: 'res', id: 7, ok: true, result: {} });
    const text = frames.map((f) => new TextDecoder().decode(decodeByteBatch(f).items[0] as Uint8Array)).join('');
    expect(text).toBe(consoles.history('lab1', 1));
    expect(text.endsWith('web1 login: ')).toBe(true);
    expect(frames.map((f) => decodeByteBatch(f).seq)).toEqual(frames.map((_, i) => i));
    consoles.stop();
  });

  it('streams a domain console (history first) and takes input with console.input', async () => {
    const { s, sent, host } = await rig();
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\n' });
    await wait(0);
    host.advanceClock(SECONDS(5));
    await s.receive({ t: 'sub', id: 7, topic: 'console', params: { hostId: 'lab1', domid: 1 } });
    expect(sent.at(-1)).toEqual({ t: 'res', id: 7, ok: true, result: {} });
    await wait(40);
    expect(streamed(sent, 7).endsWith('web1 login: ')).toBe(true);
    await s.receive({ t: 'req', id: 8, method: 'console.input', params: { hostId: 'lab1', domid: 1, data: 'root\r' } });
    await s.receive({ t: 'req', id: 9, method: 'console.input', params: { hostId: 'lab1', domid: 1, data: 'uname -a\r' } });
    expect(sent.filter((m) => m.t === 'res' && (m.id === 8 || m.id === 9)).every((m) => m.t === 'res' && m.ok)).toBe(true);
    await wait(40);
    expect(streamed(sent, 7)).toContain('uname -a\r\nLinux web1 6.1.0-56-cloud-amd64');
  });

  it('pauses a flood for a client that does not ack: the console window\'s batches in flight, the guest waits; acks let it finish, nothing lost', async () => {
    const lab = Lab.withDefaultHost();
    const consoles = new ConsoleService(lab, { viewBufferChars: 256 * 1024 }); // items small enough that the flood fills the window
    await consoles.start();
    const sent: ServerMessage[] = [];
    const s = new ApiSession(new Router({ lab, mode: 'serve', appVersion: 't', consoles }), (m) => sent.push(m));
    const host = lab.host('lab1') as EmbeddedHost;
    await host.createDomain({ configText: 'name = "web1"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\n' });
    await wait(0);
    host.advanceClock(SECONDS(5));
    await s.receive({ t: 'sub', id: 7, topic: 'console', params: { hostId: 'lab1', domid: 1 } });
    await s.receive({ t: 'req', id: 8, method: 'console.input', params: { hostId: 'lab1', domid: 1, data: 'root\rseq 1 1000000\r' } });
    const batches = (): Extract<ServerMessage, { t: 'batch' }>[] => sent.filter((m): m is Extract<ServerMessage, { t: 'batch' }> => m.t === 'batch');
    for (let i = 0; i < 50; i++) {
      host.advanceClock(SECONDS(0.05));
      await wait(0);
    }
    // no acks: the window is full and the guest is held with its output, not dropped
    expect(batches()).toHaveLength(topics.console.limits.window);
    const guest = host.guestOf(1)!;
    expect(guest.state).toBe('busy');
    const out = guest.bytesOut;
    host.advanceClock(SECONDS(1));
    await wait(0);
    expect(guest.bytesOut - out).toBeLessThanOrEqual(2048);
    // the client catches up: everything arrives, in order
    for (let i = 0; i < 3000 && guest.state === 'busy'; i++) {
      const last = batches().at(-1)!;
      await s.receive({ t: 'ack', id: 7, seq: last.seq });
      host.advanceClock(SECONDS(0.05));
      await wait(0);
    }
    await wait(0);
    expect(guest.state).toBe('shell');
    expect(batches().every((b) => b.dropped === undefined)).toBe(true);
    const nums = streamed(sent, 7).split('\r\n').filter((l) => /^\d+$/.test(l)).map(Number);
    expect(nums).toEqual(Array.from({ length: 1000000 }, (_, i) => i + 1));
    consoles.stop();
  });

  it('checks console params: bad domid, empty input, unknown host', async () => {
    const { s, sent } = await rig();
    await s.receive({ t: 'sub', id: 1, topic: 'console', params: { hostId: 'lab1', domid: -1 } });
    expect(sent.at(-1)).toMatchObject({ t: 'end', id: 1, error: { code: 'EBADREQ' } });
    await s.receive({ t: 'req', id: 2, method: 'console.input', params: { hostId: 'lab1', domid: 1, data: '' } });
    expect(sent.at(-1)).toMatchObject({ t: 'res', id: 2, ok: false, error: { code: 'EBADREQ' } });
    await s.receive({ t: 'sub', id: 3, topic: 'console', params: { hostId: 'nosuch', domid: 1 } });
    expect(sent.at(-1)).toMatchObject({ t: 'end', id: 3, error: { code: 'ENOENT' } });
    await s.receive({ t: 'req', id: 4, method: 'console.input', params: { hostId: 'lab1', domid: 99, data: 'x' } });
    expect(sent.at(-1)).toMatchObject({ t: 'res', id: 4, ok: false });
    // Domain-0's console is the hypervisor's: input goes to dom0's tty (engine/toolstack/dom0-tty.ts)
    await s.receive({ t: 'req', id: 5, method: 'console.input', params: { hostId: 'lab1', domid: 0, data: 'x' } });
    expect(sent.at(-1)).toMatchObject({ t: 'res', id: 5, ok: true });
  });
});
