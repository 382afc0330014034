// `xl list [-v] [-c]` (tools/xl/xl_info.c: list_domains): a header, then one row per
// domain, "%-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f" (name, domid, MiB, online
// vCPUs, the six state letters, CPU seconds), followed with -v by the UUID, the
// shutdown reason in hex ("-" when running) and the security label, and with -c by the
// cpupool. The name is matched lazily from the left so names with spaces survive.
import { ParseError } from '../errors';
import type { DomainState, RemoteDomain, ShutdownReason } from '../types';

/** libxl_shutdown_reason by index, and xl's letters for them ("-rscwS"). */
const REASONS: ShutdownReason[] = ['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset'];
const REASON_LETTERS = '-rscwS';

export function parseDomainState(letters: string): DomainState {
  if (!/^[r-][b-][p-][s-][-rscwS?][d-]$/.test(letters)) throw new ParseError('xl list', `bad state ${JSON.stringify(letters)}`);
  const shutdown = letters[3] === 's';
  const l = letters[4] as string;
  let shutdownReason: ShutdownReason | null = null;
  if (shutdown) shutdownReason = l === '?' ? 'unknown' : (REASONS[REASON_LETTERS.indexOf(l)] ?? 'unknown');
  return {
    running: letters[0] === 'r',
    blocked: letters[1] === 'b',
    paused: letters[2] === 'p',
    shutdown,
    shutdownReason,
    dying: letters[5] === 'd',
    letters,
  };
}

const ROW = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([r-][b-][p-][s-][-rscwS?][d-])\s+(-?\d+(?:\.\d+)?)(.*)$/;

export function parseXlList(text: string): RemoteDomain[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.shift();
  if (header === undefined || !/^Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)/.test(header)) {
    throw new ParseError('xl list', `no header line in ${JSON.stringify(text.slice(0, 80))}`);
  }
  const verbose = header.includes('UUID');
  const withPool = header.includes('Cpupool');
  return lines.map((line) => {
    const m = ROW.exec(line);
    if (!m) throw new ParseError('xl list', `unexpected row ${JSON.stringify(line)}`);
    const d: RemoteDomain = {
      name: (m[1] as string).trimEnd(),
      domid: Number(m[2]),
      memMiB: Number(m[3]),
      vcpus: Number(m[4]),
      state: parseDomainState(m[5] as string),
      cpuTimeS: Number(m[6]),
    };
    let rest = (m[7] as string).trim();
    if (verbose) {
      const v = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s+(-|[0-9a-f]+)\s+(\S+)\s*(.*)$/.exec(rest);
      if (!v) throw new ParseError('xl list -v', `unexpected columns ${JSON.stringify(rest)}`);
      d.uuid = v[1] as string;
      if (v[2] !== '-') d.reasonCode = parseInt(v[2] as string, 16);
      d.securityLabel = v[3] as string;
      rest = (v[4] as string).trim();
    }
    if (withPool) {
      if (rest === '') throw new ParseError('xl list -c', `no cpupool in ${JSON.stringify(line)}`);
      d.cpupool = rest;
    }
    return d;
  });
}
