/**
 * The keys `xl debug-keys` may send: printable ASCII, at least one. Xen's key_table has
 * 128 entries (xen/common/keyhandler.c), so anything else can never name a handler;
 * refusing it up front keeps a typo from passing as "sent".
 */
import { ToolstackError } from './toolstack-error';

export function checkDebugKeys(keys: string): void {
  if (!/^[!-~]+$/.test(keys)) {
    throw new ToolstackError('EINVAL', `debug keys must be printable ASCII characters, got ${JSON.stringify(keys)}`);
  }
}
