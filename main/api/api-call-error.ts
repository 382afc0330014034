/**
 * A failed api request as its clients see it — the renderer's client and the Node client
 * of the command line alike: the code (Xen's errno name or an api code), the message, the
 * hint, and for a config error where in the file. Plain TypeScript, no Node or DOM.
 */
import type { ApiError } from './envelope';

export class ApiCallError extends Error {
  override readonly name: string = 'ApiCallError';
  readonly code: string;
  readonly hint: string | undefined;
  /** For ECONFIG: where in the xl.cfg text the problem is. */
  readonly where: ApiError['where'];
  constructor(e: ApiError) {
    super(e.message);
    this.code = e.code;
    this.hint = e.hint;
    this.where = e.where;
  }
}
