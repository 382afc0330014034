/**
 * strerror() of a toolstack error's code, as libxl appends it to its log lines
 * ("...: Pausing domain: No such process"). Xen's errno names have their glibc texts
 * (engine/hypervisor/errno.ts); the toolstack's own codes are not errnos: a config
 * error reads as EINVAL does, the rest are printed by name.
 */
import { STRERROR, type XenErrnoName } from '../hypervisor/errno';
import type { ToolstackErrorCode } from './toolstack-error';

export function strerror(code: ToolstackErrorCode): string {
  if (code === 'ECONFIG') return STRERROR.EINVAL;
  return Object.hasOwn(STRERROR, code) ? STRERROR[code as XenErrnoName] : code;
}
