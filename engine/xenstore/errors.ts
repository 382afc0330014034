/**
 * Xenstore errors, sent on the wire as their names (docs/misc/xenstore.txt "ERROR
 * E<something>|"; the table is xsd_errors[] in xen/include/public/io/xs_wire.h, in this
 * order; EPERM is the newest entry). There is no EQUOTA in Xen's table: C xenstored
 * reports an exceeded quota as ENOSPC (nodes, node size, transactions) or E2BIG
 * (watches), and so do we.
 */
export const XSD_ERRORS = [
  'EINVAL',
  'EACCES',
  'EEXIST',
  'EISDIR',
  'ENOENT',
  'ENOMEM',
  'ENOSPC',
  'EIO',
  'ENOTEMPTY',
  'ENOSYS',
  'EROFS',
  'EBUSY',
  'EAGAIN',
  'EISCONN',
  'E2BIG',
  'EPERM',
] as const;

export type XsErrorName = (typeof XSD_ERRORS)[number];

/** A request failed; `code` is the string the ERROR reply carries. */
export class XsError extends Error {
  constructor(
    readonly code: XsErrorName,
    detail?: string,
  ) {
    super(detail === undefined ? code : `${code}: ${detail}`);
    this.name = 'XsError';
  }
}

export function isXsErrorName(s: string): s is XsErrorName {
  return (XSD_ERRORS as readonly string[]).includes(s);
}
