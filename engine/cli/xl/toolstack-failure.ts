/**
 * Turning a ToolstackError the embedded host threw into what xl prints: the engine's
 * messages are already worded like libxl's; this adds nothing but the line ending, and
 * keeps anything that is not a ToolstackError (a bug) propagating.
 */
import { ToolstackError } from '../../toolstack/toolstack-error';

export function asToolstackError(e: unknown): ToolstackError {
  if (e instanceof ToolstackError) return e;
  throw e;
}
