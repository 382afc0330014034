import { XenError } from '../../../engine/hypervisor/errno';

/** The Xen errno name `f` fails with (EINVAL, EBUSY ...), the error's text if not a XenError, undefined if it succeeds. */
export const errno = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof XenError ? e.code : String(e);
  }
  return undefined;
};
