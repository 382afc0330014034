/**
 * `cpuid` in xend's list form (xl.cfg(5) "cpuid"; tools/libs/light/libxl_cpuid.c
 * libxl_cpuid_parse_config_xend):
 *
 *   cpuid = [ "LEAF[,SUBLEAF]:REG=BITS[,REG=BITS...]", ... ]
 *
 * LEAF and SUBLEAF are strtoul(…, 0) numbers, REG is eax ebx ecx edx, BITS exactly 32
 * characters, bit 31 first: 1 set, 0 clear, x the default policy's value, k and s the
 * host's. xl reports a bad item ("while parsing CPUID line ... error #N: ...") and goes
 * on with the others, so do we.
 *
 * XenDeck's CPUID policy is a set of named features (engine/hypervisor/cpuid-policy.ts),
 * so each bit is mapped to its feature by Xen's cpufeatureset.h positions. A 1 or 0 on a
 * bit XenDeck does not model cannot be honoured and is refused as not implemented.
 */
import { strtoul } from './c-scan';

/** Per feature: 1 set, 0 clear, 'k' as the host has it. */
export type CpuidChange = 0 | 1 | 'k';

const REGS = ['eax', 'ebx', 'ecx', 'edx'] as const;

/** (leaf, subleaf, register, bit) → feature, from xen/include/public/arch-x86/cpufeatureset.h. */
const FEATURE_BITS: { leaf: number; subleaf?: number; reg: (typeof REGS)[number]; bit: number; name: string }[] = [
  { leaf: 0x1, reg: 'edx', bit: 3, name: 'pse' },
  { leaf: 0x1, reg: 'edx', bit: 25, name: 'sse' },
  { leaf: 0x1, reg: 'edx', bit: 26, name: 'sse2' },
  { leaf: 0x1, reg: 'ecx', bit: 0, name: 'sse3' },
  { leaf: 0x1, reg: 'ecx', bit: 5, name: 'vmx' },
  { leaf: 0x1, reg: 'ecx', bit: 9, name: 'ssse3' },
  { leaf: 0x1, reg: 'ecx', bit: 19, name: 'sse4_1' },
  { leaf: 0x1, reg: 'ecx', bit: 20, name: 'sse4_2' },
  { leaf: 0x1, reg: 'ecx', bit: 26, name: 'xsave' },
  { leaf: 0x1, reg: 'ecx', bit: 28, name: 'avx' },
  { leaf: 0x7, subleaf: 0, reg: 'ebx', bit: 5, name: 'avx2' },
  { leaf: 0x7, subleaf: 0, reg: 'ecx', bit: 3, name: 'pku' },
  { leaf: 0xd, subleaf: 1, reg: 'eax', bit: 0, name: 'xsaveopt' },
  { leaf: 0xd, subleaf: 1, reg: 'eax', bit: 3, name: 'xsaves' },
  { leaf: 0x80000001, reg: 'ecx', bit: 2, name: 'svm' },
  { leaf: 0x80000001, reg: 'edx', bit: 26, name: 'page1gb' },
  { leaf: 0x80000007, reg: 'edx', bit: 8, name: 'itsc' },
];

const ERRORS: Record<number, string> = {
  1: 'illegal leaf number',
  2: 'illegal subleaf number',
  3: 'missing colon',
  4: 'invalid register name (must be e[abcd]x)',
  5: 'policy string must be exactly 32 characters long',
};

/** One libxl cpuid policy entry as libxl_cpuid_policy_list_gen_json prints it. */
export interface XendCpuidEntry {
  leaf: number;
  subleaf?: number;
  eax?: string;
  ebx?: string;
  ecx?: string;
  edx?: string;
}

export interface XendCpuidParse {
  changes: Record<string, CpuidChange>;
  /** The entries libxl keeps (cpuid_find_match: one per leaf/subleaf, later registers replace). */
  entries: XendCpuidEntry[];
  /** xl's two lines per bad item. */
  warnings: string[];
  /** Bits asked for that XenDeck does not model ("leaf 0x1 ecx bit 3 = 1"). */
  unmodelled: string[];
}

const hex = (n: number): string => `0x${n.toString(16)}`;

/** One item: the policy strings per register, or libxl's error number. */
function parseItem(str: string): { leaf: number; subleaf?: number; regs: Partial<Record<(typeof REGS)[number], string>> } | number {
  const l = strtoul(str, 0);
  if (l.end === 0) return 1;
  let i = l.end;
  let subleaf: number | undefined;
  if (str[i] === ',') {
    const s = strtoul(str.slice(i + 1), 0);
    if (s.end === 0) return 2;
    subleaf = s.value;
    i = i + 1 + s.end;
  }
  if (str[i] !== ':') return 3;
  i++;
  const regs: Partial<Record<(typeof REGS)[number], string>> = {};
  while (i < str.length) {
    const r = str.slice(i, i + 3);
    const idx = REGS.indexOf(r as (typeof REGS)[number]);
    const eq = str.indexOf('=', i);
    if (str[i] !== 'e' || str[i + 2] !== 'x' || idx < 0 || eq < 0) return 4;
    // libxl takes e?x then the first '=' after it, whatever lies between
    const start = eq + 1;
    let end = str.indexOf(',', start);
    if (end < 0) end = str.length;
    if (end - start !== 32) return 5;
    regs[REGS[idx]!] = str.slice(start, end);
    if (end === str.length) break;
    i = end + 1;
    while (str[i] === ' ' || str[i] === '\n') i++;
  }
  return { leaf: l.value, ...(subleaf !== undefined ? { subleaf } : {}), regs };
}

export function parseXendCpuid(items: readonly string[]): XendCpuidParse {
  const changes: Record<string, CpuidChange> = {};
  const warnings: string[] = [];
  const unmodelled: string[] = [];
  const entries: XendCpuidEntry[] = [];
  for (const item of items) {
    const p = parseItem(item);
    if (typeof p === 'number') {
      warnings.push(`while parsing CPUID line: "${item}":`, `  error #${p}: ${ERRORS[p] ?? 'unknown error'}`);
      continue;
    }
    let entry = entries.find((e) => e.leaf === p.leaf && e.subleaf === p.subleaf);
    if (!entry) {
      entry = { leaf: p.leaf, ...(p.subleaf !== undefined ? { subleaf: p.subleaf } : {}) };
      entries.push(entry);
    }
    for (const reg of REGS) if (p.regs[reg] !== undefined) entry[reg] = p.regs[reg];
    for (const [reg, bits] of Object.entries(p.regs) as [(typeof REGS)[number], string][]) {
      for (let j = 0; j < 32; j++) {
        const c = bits[j]!;
        const bit = 31 - j;
        if (c === 'x') continue;
        const f = FEATURE_BITS.find((b) => b.leaf === p.leaf && b.reg === reg && b.bit === bit && (b.subleaf === undefined || b.subleaf === (p.subleaf ?? 0)));
        const change: CpuidChange | undefined = c === '1' ? 1 : c === '0' ? 0 : c === 'k' || c === 's' ? 'k' : undefined;
        if (change === undefined) continue; // xc_cpuid_xend leaves any other character at the default
        if (!f) {
          if (change !== 'k') unmodelled.push(`leaf ${hex(p.leaf)}${p.subleaf !== undefined ? `,${hex(p.subleaf)}` : ''} ${reg} bit ${bit} = ${c}`);
          continue;
        }
        changes[f.name] = change;
      }
    }
  }
  return { changes, entries, warnings, unmodelled };
}
