/**
 * `xl dump-core <Domain> <filename>`: main_dump_core() of tools/xl/xl_misc.c over
 * libxl_domain_core_dump → xc_domain_dumpcore. The file is a xen dump-core ELF file
 * (engine/toolstack/coredump), written relative to xl's working directory; the domain
 * keeps running. A failure prints libxc's and libxl's log lines, then "core dump failed
 * (rc=-3)", exit 1.
 *
 * Nothing is journalled: the dump does not change the host, and replaying a lab must
 * not write core files again.
 */
import { XEN_ERRNO, type XenErrnoName } from '../../../hypervisor/errno';
import { strerror } from '../../../toolstack/strerror';
import type { XlCommand } from '../context';
import { resolve } from 'node:path';
import { findDomain } from '../find-domain';
import { xlGetopt } from '../getopt';
import { libxlError, LIBXL_RC, SITES } from '../libxl-log';
import { asToolstackError } from '../toolstack-failure';


export const dumpCore: XlCommand = async (ctx, args) => {
  const { operands } = xlGetopt(ctx.io, 'dump-core', args, '', [], 2);
  const host = await ctx.host();
  const domid = await findDomain(ctx, host, operands[0]!);
  const file = ctx.file(operands[1]!);
  try {
    await host.coreDump(domid, file);
  } catch (e) {
    const err = asToolstackError(e);
    const n = Object.hasOwn(XEN_ERRNO, err.code) ? XEN_ERRNO[err.code as XenErrnoName] : undefined;
    // xc's PERROR: "MESSAGE (errno = strerror): Internal error"; then libxl's LOGED line
    if (n !== undefined) ctx.err(`xc: error: ${err.message.replace(/: [^:]*$/, '')} (${n} = ${strerror(err.code)}): Internal error\n`);
    else ctx.err(`${err.message}\n`);
    ctx.err(libxlError(SITES.coreDump, domid, `Core dumping domain to ${resolve(ctx.cwd, operands[1]!)}`, strerror(err.code)));
    ctx.err(`core dump failed (rc=${LIBXL_RC.FAIL})\n`);
    return 1;
  }
  return 0;
};
