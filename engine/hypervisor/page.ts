/**
 * Xen's page size in KiB (x86: 4 KiB pages), apart from xen.ts so that a formatter (xl's
 * listing) can use it without loading the whole hypervisor.
 */
export const PAGE_KIB = 4;
/** PAGE_SHIFT and PAGE_SIZE on x86 (xen/include/xen/page-size.h): the migration stream's page_shift. */
export const PAGE_SHIFT = 12;
export const PAGE_SIZE = 1 << PAGE_SHIFT;
