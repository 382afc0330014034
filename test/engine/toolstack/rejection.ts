/** The ToolstackError a toolstack call fails with (anything else, or success, fails the test). */
import { ToolstackError } from '../../../engine/toolstack/toolstack-error';

export async function rejection(p: Promise<unknown>): Promise<ToolstackError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ToolstackError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}
