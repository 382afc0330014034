/**
 * A save file or migration stream that cannot be read: what is wrong and where (byte
 * offset), as libxc's restore names the record it choked on (xg_sr_restore.c ERROR()).
 */
import { ToolstackError } from '../toolstack-error';

export function streamError(message: string, offset?: number): ToolstackError {
  return new ToolstackError('EINVAL', offset === undefined ? message : `${message} (at byte ${offset})`, 'The save file is corrupt, truncated or not an xl save file');
}
