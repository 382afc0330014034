import { describe, expect, it } from 'vitest';
import { ChannelSlots, OPENSSH_MAX_SESSIONS } from '../../../engine/remote/channel-slots';
import { NotSupportedError } from '../../../engine/remote/errors';

describe("ChannelSlots: never more sessions than sshd's MaxSessions on one connection", () => {
  it('lets ten commands run at once and queues the eleventh until one ends', async () => {
    const slots = new ChannelSlots();
    const releases = await Promise.all(Array.from({ length: OPENSSH_MAX_SESSIONS }, () => slots.acquire('command')));
    let eleventh = false;
    const next = slots.acquire('command').then((r) => {
      eleventh = true;
      return r;
    });
    await Promise.resolve();
    expect(eleventh).toBe(false);
    expect(slots.queued).toBe(1);
    releases[3]?.();
    releases[3]?.(); // releasing twice frees one slot only
    (await next)();
    expect(eleventh).toBe(true);
    expect(slots.open).toBe(OPENSSH_MAX_SESSIONS - 1);
  });

  it('keeps two slots for commands: a ninth console or watch is refused with the reason', async () => {
    const slots = new ChannelSlots();
    const held = await Promise.all(Array.from({ length: 8 }, () => slots.acquire('session')));
    await expect(slots.acquire('session')).rejects.toBeInstanceOf(NotSupportedError);
    const cmd = await slots.acquire('command');
    cmd();
    held[0]?.();
    (await slots.acquire('session'))();
  });
});
