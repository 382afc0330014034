/**
 * The one error shape every toolstack client sees (GUI, api, `xl`): a code (Xen's errno
 * name, or a toolstack code such as ECONFIG), a message a Xen administrator recognises
 * (worded as libxl/xl word it) and, where useful, a hint saying what to do.
 */
import { XenError, type XenErrnoName } from '../hypervisor/errno';
import { ConfigError } from './config/config-error';

/** ECONFIG: a bad xl.cfg; EREMOTE: a real host could not be reached or asked (see the hint). */
export type ToolstackErrorCode = XenErrnoName | 'ECONFIG' | 'EREMOTE';

export class ToolstackError extends Error {
  override readonly name: string = 'ToolstackError';
  constructor(
    readonly code: ToolstackErrorCode,
    message: string,
    readonly hint?: string,
    /** For ECONFIG: where in the xl.cfg text the problem is. */
    readonly where?: { file: string; line: number; column: number },
  ) {
    super(message);
  }

  /** Wrap anything thrown below the toolstack into the toolstack's own shape. */
  static from(e: unknown): ToolstackError {
    if (e instanceof ToolstackError) return e;
    if (e instanceof ConfigError) {
      return new ToolstackError('ECONFIG', e.message, undefined, { file: e.file, line: e.line, column: e.column });
    }
    if (e instanceof XenError) return new ToolstackError(e.code, e.detail, e.hint);
    return new ToolstackError('EINVAL', e instanceof Error ? e.message : String(e));
  }
}

/** A feature that is not there yet says so, with Xen's ENOSYS (never pretends). */
export class NotImplementedError extends ToolstackError {
  override readonly name = 'NotImplementedError';
  constructor(what: string) {
    super('ENOSYS', `${what}: not implemented in XenDeck yet`, 'See the status table in README.md');
  }
}
