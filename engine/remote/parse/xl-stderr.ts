// What xl says when it fails. libxl's log lines on stderr have the form
// "libxl: <level>: <file>:<line>:<function>: [Domain <domid>:]<text>"
// (tools/libs/light/libxl_internal.c: libxl__log), xl's own messages are plain lines
// (tools/xl/*.c). The kinds below are the failures a console wants to tell apart,
// recognised by the texts the real xl 4.17 prints (test/fixtures/realxen/*.err).
import type { LibxlMessage } from '../types';

export type XlFailureKind =
  | 'no-such-domain'
  | 'domain-exists'
  | 'config-syntax'
  | 'config-unreadable'
  | 'kernel-unreadable'
  | 'no-such-command'
  | 'out-of-range'
  | 'wrong-scheduler'
  | 'no-such-cpupool'
  | 'cpupool-busy'
  | 'guest-no-ack'
  | 'out-of-memory'
  | 'invalid-argument'
  | 'other';

export interface XlFailure {
  kind: XlFailureKind;
  /** The libxl log lines, parsed. */
  messages: LibxlMessage[];
  /** The most telling line, for an error message. */
  summary: string;
}

const LIBXL = /^libxl: ([a-z]+): ([^:]+):(\d+):([^:]+): (?:Domain (\d+):)?(.*)$/;

export function parseLibxlMessages(stderr: string): LibxlMessage[] {
  const out: LibxlMessage[] = [];
  for (const line of stderr.split('\n')) {
    const m = LIBXL.exec(line);
    if (!m) continue;
    const msg: LibxlMessage = { level: m[1] as string, file: m[2] as string, line: Number(m[3]), func: m[4] as string, text: m[6] as string };
    if (m[5] !== undefined) msg.domid = Number(m[5]);
    out.push(msg);
  }
  return out;
}

const KINDS: [XlFailureKind, RegExp][] = [
  // libxc's "(3 = No such process)": ESRCH from a domctl (xen-cpuid --policy=DOMID)
  ['no-such-domain', /is an invalid domain identifier|Non-existant domain|Can't get domain name of domain id|\(3 = No such process\)/],
  ['domain-exists', /Domain with name ".*" already exists/],
  ['config-syntax', /config parsing error near|Failed to parse config/],
  ['config-unreadable', /Failed to read config file/],
  ['kernel-unreadable', /xc_dom_kernel_file failed|failed to open file '.*'/],
  ['no-such-command', /^command not implemented$/m],
  ['out-of-range', /out of range/],
  ['wrong-scheduler', /libxl_domain_sched_params_get returned \S+ not \S+/],
  ['no-such-cpupool', /[Pp]ool '.*' does not exist|Illegal pool specified|^unknown cpupool '/],
  ['cpupool-busy', /Can't destroy cpupool/],
  ['guest-no-ack', /guest didn't acknowledge control request/],
  ['out-of-memory', /Out of memory|Cannot allocate memory|not enough memory/],
  // libxl_sched.c, libxl_mem.c, xl_sched.c, xl_vcpu.c refusals (test/fixtures/realxen)
  ['invalid-argument', /: Invalid argument$|^invalid memory size|must be greater than or or equal to|cannot be greater than|^Must specify VCPU|^option `.' not supported|^Incorrect number of/],
];

/** Lines libxl logs while cleaning up after a failed create, not the cause. */
const CLEANUP = /Non-existant domain|Unable to destroy guest|Destruction of domain failed/;

export function classifyXlFailure(stderr: string): XlFailure {
  const messages = parseLibxlMessages(stderr);
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('Parsing config from'));
  // The first recognised line is the cause. A failed create goes on to log the clean-up
  // of the half-built domain ("Non-existant domain", "Unable to destroy guest"): those
  // lines say the domain is missing only when nothing came before them.
  const text = (line: string): string => LIBXL.exec(line)?.[6] ?? line;
  for (const [i, line] of lines.entries()) {
    if (i > 0 && CLEANUP.test(line)) continue;
    const hit = KINDS.find(([, re]) => re.test(line));
    if (hit !== undefined) return { kind: hit[0], messages, summary: text(line) };
  }
  // Otherwise the first line says most (an xc: or libxl: error); xl's last line
  // ("... failed (rc=-3)") least.
  return { kind: 'other', messages, summary: lines[0] !== undefined ? text(lines[0]) : '' };
}
