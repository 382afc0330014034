/**
 * The lab journal: the successful mutating toolstack operations of a lab host, in order.
 * The embedded engine is deterministic (seeded), so booting a host with the lab's preset
 * and seed and applying the journal again gives back the same host — domids, uuids,
 * memory layout — which is how successive `xl --lab DIR ...` runs share one host.
 * Entries name domains by domid: replay allocates the same domids.
 */
import { z } from 'zod';
import type { ToolstackHost } from '../../toolstack/host-api';

export const JournalEntrySchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    configText: z.string(),
    file: z.string(),
    overrides: z.array(z.string()),
    paused: z.boolean(),
  }),
  z.object({ op: z.literal('destroy'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('pause'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('unpause'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('shutdown'), domid: z.number().int().nonnegative(), reboot: z.boolean() }),
  z.object({ op: z.literal('dmesg-clear') }),
]);

export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** Apply one entry to a host, exactly as the command that recorded it did. */
export async function applyEntry(host: ToolstackHost, e: JournalEntry): Promise<void> {
  switch (e.op) {
    case 'create':
      await host.createDomain({ configText: e.configText, file: e.file, overrides: e.overrides, paused: e.paused });
      return;
    case 'destroy':
      return host.destroy(e.domid);
    case 'pause':
      return host.pause(e.domid);
    case 'unpause':
      return host.unpause(e.domid);
    case 'shutdown':
      return host.shutdown(e.domid, { reboot: e.reboot });
    case 'dmesg-clear':
      await host.dmesg({ clear: true });
      return;
  }
}

/** A one-line label for messages ("create web1.cfg", "destroy 3"). */
export function describeEntry(e: JournalEntry): string {
  switch (e.op) {
    case 'create':
      return `create ${e.file}`;
    case 'dmesg-clear':
      return 'dmesg -c';
    case 'shutdown':
      return `${e.reboot ? 'reboot' : 'shutdown'} ${e.domid}`;
    default:
      return `${e.op} ${e.domid}`;
  }
}
