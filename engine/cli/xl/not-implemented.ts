/**
 * What `xl` says for a command or option of real xl that XenDeck does not have yet: a
 * typed NotImplementedError (ENOSYS) naming it, exit 1 — never a silent success. Unknown
 * names get xl's own "command not implemented" instead (tools/xl/xl.c main).
 */
import { NotImplementedError } from '../../toolstack/toolstack-error';
import type { XlContext } from './context';
import { XlExit } from './io';

export function notImplemented(ctx: XlContext, what: string): never {
  const e = new NotImplementedError(`xl ${what}`);
  ctx.err(`${e.message}\n`);
  throw new XlExit(1);
}
