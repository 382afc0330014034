/**
 * `xl create [-c -d -e -F -f FILE -n -p -q -V -A] [FILE] [key=value ...]`: main_create()
 * and create_domain() of tools/xl/xl_vmcontrol.c, and parse_config_data() of xl_parse.c.
 *
 *   - The first argument, when it is neither an option nor a key=value, is the file;
 *     later key=value arguments are appended to the config as lines; a second file is
 *     usage (help, exit 2).
 *   - An unreadable file: "Failed to read config file: F: strerror", exit 3 (ERROR_FAIL).
 *     "/dev/null" stands for an empty file (config from the command line only).
 *   - "Parsing config from F" on stderr (unless -q), then the libxlutil parse: every
 *     syntax error, the Python warning if the lexer saw Python, then "Failed to parse
 *     config: Invalid argument", exit 1. A semantic error from parse_config_data also
 *     exits 1 with its message.
 *   - -N (global) or -n: print the libxl_domain_config JSON on stdout and build nothing;
 *     -d prints it on stderr and goes on.
 *   - Failures inside libxl (a name in use, not enough memory) exit 3 with libxl's lines.
 *   - -c attaches to the new domain's console (autoconnect_console: xl forks `xl console`
 *     for it), the same path as `xl console`; the domain stays when the console ends or
 *     cannot be had (a lab has no running clock), and create's status is still 0.
 *   - -V, -A need a VNC viewer, which XenDeck's CLI does not have: refused.
 *   - -F stays in the foreground until the domain dies (create-monitor.ts); without it
 *     xl would fork a daemon to watch the domain, which the lab does not need: the
 *     embedded host itself carries out on_poweroff / on_reboot. -e is thus the default.
 */
import { readFile } from 'node:fs/promises';
import { parseXlCfg, pythonWarnings } from '../../../toolstack/config';
import { withOverrides } from '../../../toolstack/domain-build-info';
import { strerror } from '../../../toolstack/strerror';
import type { XlCommand, XlContext } from '../context';
import { dryRunConfigJson } from '../format/domain-config-json';
import { yajlBeautify } from '../format/yajl-json';
import { xlGetopt } from '../getopt';
import { helpText } from '../help';
import { XlExit } from '../io';
import { diskStatLines, LIBXL_RC, libxlError, rtdsValidateSite, SITES } from '../libxl-log';
import { notImplemented } from '../not-implemented';
import { asToolstackError } from '../toolstack-failure';
import { monitorDomain } from './create-monitor';
import { consoleCommand } from './console';

const LONGOPTS = [
  { name: 'defconfig', hasArg: true, val: 'f' },
  { name: 'dryrun', hasArg: false, val: 'n' },
  { name: 'ignore-global-affinity-masks', hasArg: false, val: 'i' },
  { name: 'quiet', hasArg: false, val: 'q' },
  { name: 'vncviewer', hasArg: false, val: 'V' },
  { name: 'vncviewer-autopass', hasArg: false, val: 'A' },
];

export const create: XlCommand = async (ctx, args) => {
  let file: string | undefined;
  let rest = args;
  if (args[0] !== undefined && !args[0].startsWith('-') && !args[0].includes('=')) {
    file = args[0];
    rest = args.slice(1);
  }
  const { opts, operands } = xlGetopt(ctx.io, 'create', rest, 'AFVcdef:inpq', LONGOPTS, 0);
  let paused = false;
  let quiet = false;
  let debug = false;
  // -F: daemonize = 0; -e: daemonize = 0 and monitor = 0 (main_create)
  let daemonize = true;
  let monitor = true;
  let dryRun = ctx.globals.dryRun;
  let autoconnect = false;
  for (const o of opts) {
    if (o.opt === 'c') autoconnect = true;
    if (o.opt === 'V' || o.opt === 'A') notImplemented(ctx, `create -${o.opt} (VNC viewer)`);
    if (o.opt === 'F') daemonize = false;
    if (o.opt === 'e') daemonize = monitor = false;
    if (o.opt === 'f') file = o.arg;
    if (o.opt === 'n') dryRun = true;
    if (o.opt === 'p') paused = true;
    if (o.opt === 'q') quiet = true;
    if (o.opt === 'd') debug = true;
  }
  const overrides: string[] = [];
  for (const a of operands) {
    if (a.includes('=')) overrides.push(a);
    else if (file === undefined) file = a;
    else {
      ctx.out(helpText('create'));
      return 2;
    }
  }
  if (file === undefined) {
    // create_domain() with neither a file nor a save file
    ctx.err('Config file not specified and none in save file\n');
    return -LIBXL_RC.INVAL;
  }

  const configText = await readConfig(ctx, file);
  if (!quiet) ctx.err(`Parsing config from ${file}\n`);
  checkSyntax(ctx, withOverrides(configText, overrides), file);

  const host = await ctx.host();
  let result;
  try {
    result = await host.createDomain({ configText, file, overrides, paused, dryRun });
  } catch (e) {
    return createFailed(ctx, asToolstackError(e));
  }
  for (const w of result.warnings) ctx.err(`${w}\n`);
  if (dryRun || debug) {
    const json = yajlBeautify(dryRunConfigJson(result.buildInfo));
    if (dryRun) ctx.out(json);
    else ctx.err(json);
  }
  if (dryRun) return 0;
  const index = await ctx.record({ op: 'create', configText, file, overrides, paused });
  if (autoconnect && result.domid !== undefined) await consoleCommand(ctx, [String(result.domid)]);
  return !daemonize && monitor && result.domid !== undefined ? monitorDomain(ctx, result.name, result.domid, index) : 0;
};

async function readConfig(ctx: XlContext, file: string): Promise<string> {
  if (file === '/dev/null') return '';
  try {
    return await readFile(ctx.file(file), 'utf8');
  } catch (e) {
    const code = e instanceof Error && 'code' in e && typeof e.code === 'string' ? e.code : 'EIO';
    ctx.err(`Failed to read config file: ${file}: ${errnoText(code)}\n`);
    throw new XlExit(-LIBXL_RC.FAIL);
  }
}

/** libxlutil's reading of the text: all its errors, then xl's verdict. */
function checkSyntax(ctx: XlContext, text: string, file: string): void {
  const p = parseXlCfg(text, file);
  if (p.errors.length === 0) return;
  for (const e of p.errors) ctx.err(`${e.message}\n`);
  if (p.likelyPython) for (const w of pythonWarnings()) ctx.err(`${w}\n`);
  ctx.err('Failed to parse config: Invalid argument\n');
  throw new XlExit(1);
}

function createFailed(ctx: XlContext, e: ReturnType<typeof asToolstackError>): number {
  // initiate_domain_create: a disk's target is not in dom0; libxl destroyed the domain again
  const disk = diskStatLines(e.message);
  if (disk !== undefined) {
    ctx.err(disk);
    return -LIBXL_RC.FAIL;
  }
  switch (e.code) {
    case 'ECONFIG':
    case 'ENOENT':
    case 'ENOSYS': // a key XenDeck does not model yet (config/unmodelled-keys.ts)
      // parse_config_data() prints and exit(1)s (name missing, bad type, no such pool)
      ctx.err(`${e.message}\n`);
      return 1;
    case 'EEXIST':
      // libxl__domain_rename then initiate_domain_create; the embedded host checks the
      // name before it makes a domain, so there is no domid and nothing to tear down.
      ctx.err(libxlError(SITES.rename, undefined, e.message));
      ctx.err(libxlError(SITES.makeDomain, undefined, `cannot make domain: ${LIBXL_RC.INVAL}`));
      return -LIBXL_RC.FAIL;
    default:
  }
  // libxl__build_post's libxl_domain_sched_params_set: for RTDS, sched_rtds_domain_set's
  // sched_rtds_validate_params refused xl.cfg's period over getinfo's budget (ERROR_INVAL)
  const rt = rtdsValidateSite(e.message);
  if (rt) {
    ctx.err(libxlError(rt, undefined, e.message));
    ctx.err(libxlError(SITES.rebuildDone, undefined, `cannot (re-)build domain: ${LIBXL_RC.INVAL}`));
    return -LIBXL_RC.FAIL;
  }
  // a hypercall failed while building: libxenctrl reports it, then libxl gives up
  // (xl-create-too-small.err); the embedded host has already undone its work
  const why = strerror(e.code);
  ctx.err(`xc: error: ${e.message.endsWith(why) ? e.message : `${e.message}: ${why}`}\n`);
  ctx.err(libxlError(SITES.rebuildDone, undefined, `cannot (re-)build domain: ${LIBXL_RC.FAIL}`));
  return -LIBXL_RC.FAIL;
}

const NODE_ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
};

function errnoText(code: string): string {
  return NODE_ERRNO_TEXT[code] ?? code;
}
