/**
 * Xen's errno values (xen/include/public/errno.h; they match Linux's on x86). Hypercalls
 * return them negated; the toolstack turns them into XenError with the symbolic name,
 * which is what xl and libxl print ("libxl: error: ... : No such process").
 */
export const XEN_ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENOSPC: 28,
  EROFS: 30,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ENODATA: 61,
  ETIMEDOUT: 110,
  EOPNOTSUPP: 95,
  EISCONN: 106,
  ENOTCONN: 107,
  EALREADY: 114,
  ECONNREFUSED: 111,
} as const;

export type XenErrnoName = keyof typeof XEN_ERRNO;

/** strerror() texts, as libxl/xl print them. */
export const STRERROR: Record<XenErrnoName, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EINTR: 'Interrupted system call',
  EIO: 'Input/output error',
  E2BIG: 'Argument list too long',
  EBADF: 'Bad file descriptor',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EBUSY: 'Device or resource busy',
  EEXIST: 'File exists',
  EXDEV: 'Invalid cross-device link',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  EROFS: 'Read-only file system',
  ERANGE: 'Numerical result out of range',
  EDEADLK: 'Resource deadlock avoided',
  ENAMETOOLONG: 'File name too long',
  ENOSYS: 'Function not implemented',
  ENOTEMPTY: 'Directory not empty',
  ENODATA: 'No data available',
  ETIMEDOUT: 'Connection timed out',
  EOPNOTSUPP: 'Operation not supported',
  EISCONN: 'Transport endpoint is already connected',
  ENOTCONN: 'Transport endpoint is not connected',
  EALREADY: 'Operation already in progress',
  ECONNREFUSED: 'Connection refused',
};

/** An error carrying a Xen errno. `message` says what failed in an administrator's words. */
export class XenError extends Error {
  override readonly name = 'XenError';
  readonly errno: number;
  constructor(
    readonly code: XenErrnoName,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.errno = XEN_ERRNO[code];
  }
  /** "message: No such process" as libxl logs a failed call. */
  get detail(): string {
    return `${this.message}: ${STRERROR[this.code]}`;
  }
}

export function isXenError(e: unknown): e is XenError {
  return e instanceof XenError;
}
