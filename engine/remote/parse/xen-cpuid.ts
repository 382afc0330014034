// `xen-cpuid` of Xen 4.17 (tools/misc/xen-cpuid.c):
//   - `xen-cpuid -v` (and `xen-cpuid WORD:WORD:...`): featuresets, one line per set,
//     "%-24s" name then the words as "%08x" joined by ":", under "Static sets:" and
//     "Dynamic sets:" headings; verbose, each word decoded on its own line,
//     "  [%02u] %-24s" with the word's label ("CPUID 0x00000007:0.ebx",
//     "MSR_ARCH_CAPS.lo") then the names of the set bits, Xen's names from
//     xen/include/public/arch-x86/cpufeatureset.h;
//   - `xen-cpuid -p` / `--policy=DOMID`: "%s policy: %u leaves, %u MSRs", then " CPUID:"
//     rows "  %08x:%08x -> %08x:%08x:%08x:%08x" (leaf, subleaf, eax..edx; subleaf
//     ffffffff when the leaf has none) and " MSRs:" rows "  %08x -> %016lx".
import { ParseError } from '../errors';

export interface FeatureWordLabel {
  /** The featureset word number ([NN]). */
  word: number;
  /** As xen-cpuid prints it: "CPUID 0x00000001.edx", "MSR_ARCH_CAPS.lo". */
  label: string;
}

export interface Featureset {
  /** "Static sets" or "Dynamic sets"; "" for a decoded command-line featureset. */
  section: string;
  name: string;
  words: number[];
  /** Decoded names of the set bits, word by word (verbose output only). */
  names: string[][];
}

export interface XenCpuidFeaturesets {
  sets: Featureset[];
  /** The label of each word, as the verbose output gives them. */
  labels: FeatureWordLabel[];
}

const SET = /^(\S.*?)\s+([0-9a-f]{8}(?::[0-9a-f]{8})*)\s*$/;
const DECODED = /^\s+\[(\d+)\]\s+(CPUID 0x[0-9a-f]{8}(?::\d+)?\.e[a-d]x|MSR_[A-Z0-9_]+\.(?:lo|hi))(.*)$/;

export function parseXenCpuidFeaturesets(text: string): XenCpuidFeaturesets {
  const sets: Featureset[] = [];
  const labels = new Map<number, string>();
  let section = '';
  let current: Featureset | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '' || /^nr_features:/.test(line) || /^\s+KEY\s/.test(line)) continue;
    const heading = /^(Static sets|Dynamic sets):$/.exec(line);
    if (heading) {
      section = heading[1] as string;
      continue;
    }
    const d = DECODED.exec(line);
    if (d) {
      if (current === undefined) throw new ParseError('xen-cpuid', `decoded word before any set: ${JSON.stringify(line)}`);
      const word = Number(d[1]);
      labels.set(word, d[2] as string);
      current.names[word] = (d[3] as string).trim().split(/\s+/).filter((n) => n !== '');
      continue;
    }
    const s = SET.exec(line);
    if (s) {
      const words = (s[2] as string).split(':').map((w) => parseInt(w, 16));
      current = { section, name: (s[1] as string).trim(), words, names: [] };
      sets.push(current);
      continue;
    }
    throw new ParseError('xen-cpuid', `unexpected line ${JSON.stringify(line)}`);
  }
  return { sets, labels: [...labels].sort((a, b) => a[0] - b[0]).map(([word, label]) => ({ word, label })) };
}

export interface CpuidLeaf {
  leaf: number;
  /** null where xen-cpuid prints ffffffff (XEN_CPUID_NO_SUBLEAF). */
  subleaf: number | null;
  /** eax, ebx, ecx, edx. */
  regs: [number, number, number, number];
}

export interface XenCpuPolicy {
  /** "Raw", "Host", "PV Max", ..., or "Domain 3". */
  name: string;
  leaves: CpuidLeaf[];
  msrs: { index: number; value: bigint }[];
}

export function parseXenCpuidPolicies(text: string): XenCpuPolicy[] {
  const out: XenCpuPolicy[] = [];
  let current: XenCpuPolicy | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const head = /^(.+?) policy: (\d+) leaves, (\d+) MSRs$/.exec(line);
    if (head) {
      current = { name: head[1] as string, leaves: [], msrs: [] };
      out.push(current);
      continue;
    }
    // xen-cpuid's first line tells how large the policies can be: not a policy
    if (/^Xen reports there are maximum/.test(line)) continue;
    if (/^\s+(CPUID|MSRs):$/.test(line) || /^\s+(leaf\s+subleaf|index)\s+->/.test(line)) continue;
    if (current === undefined) throw new ParseError('xen-cpuid -p', `row before any policy: ${JSON.stringify(line)}`);
    const leaf = /^\s+([0-9a-f]{8}):([0-9a-f]{8}) -> ([0-9a-f]{8}):([0-9a-f]{8}):([0-9a-f]{8}):([0-9a-f]{8})$/.exec(line);
    if (leaf) {
      const sub = parseInt(leaf[2] as string, 16);
      const regs = [3, 4, 5, 6].map((i) => parseInt(leaf[i] as string, 16)) as [number, number, number, number];
      current.leaves.push({ leaf: parseInt(leaf[1] as string, 16), subleaf: sub === 0xffffffff ? null : sub, regs });
      continue;
    }
    const msr = /^\s+([0-9a-f]{8}) -> ([0-9a-f]{16})$/.exec(line);
    if (msr) {
      current.msrs.push({ index: parseInt(msr[1] as string, 16), value: BigInt(`0x${msr[2] as string}`) });
      continue;
    }
    throw new ParseError('xen-cpuid -p', `unexpected line ${JSON.stringify(line)}`);
  }
  return out;
}

const REGS = { eax: 0, ebx: 1, ecx: 2, edx: 3 } as const;
/** MSR_ARCH_CAPABILITIES (xen/arch/x86/include/asm/msr-index.h). */
const MSRS: Record<string, number> = { MSR_ARCH_CAPS: 0x10a };

/** One featureset word read out of a policy, by the word's label; 0 where the policy lacks the leaf. */
export function featureWord(policy: XenCpuPolicy, label: string): number {
  const c = /^CPUID 0x([0-9a-f]{8})(?::(\d+))?\.(e[a-d]x)$/.exec(label);
  if (c) {
    const leaf = parseInt(c[1] as string, 16);
    const sub = c[2] === undefined ? null : Number(c[2]);
    const l = policy.leaves.find((x) => x.leaf === leaf && (x.subleaf === sub || (sub === 0 && x.subleaf === null)));
    return l ? l.regs[REGS[c[3] as keyof typeof REGS]] : 0;
  }
  const m = /^(MSR_[A-Z0-9_]+)\.(lo|hi)$/.exec(label);
  const index = m ? MSRS[m[1] as string] : undefined;
  if (m === null || index === undefined) throw new ParseError('xen-cpuid', `featureset word ${JSON.stringify(label)} is not one XenDeck can read from a policy`);
  const v = policy.msrs.find((x) => x.index === index)?.value ?? 0n;
  return Number(m[2] === 'lo' ? v & 0xffffffffn : v >> 32n);
}

/** The featureset (XEN_SYSCTL_get_cpu_featureset layout) of a policy, word by word as `labels` lay them out. */
export function featuresetOf(policy: XenCpuPolicy, labels: readonly FeatureWordLabel[]): number[] {
  const words: number[] = [];
  for (const { word, label } of labels) words[word] = featureWord(policy, label);
  return Array.from(words, (w) => w ?? 0);
}

export interface CpuIdentity {
  vendor: string;
  family: number;
  model: number;
}

/**
 * Vendor string of leaf 0 (ebx, edx, ecx) and family / model of leaf 1 eax, the way
 * xen/lib/x86/cpuid.c x86_cpuid_family / x86_cpuid_model compute them: the extended
 * family counts only for family 0xf, the extended model from family 6 up.
 */
export function cpuIdentity(policy: XenCpuPolicy): CpuIdentity {
  const l0 = policy.leaves.find((l) => l.leaf === 0);
  const l1 = policy.leaves.find((l) => l.leaf === 1);
  if (!l0 || !l1) throw new ParseError('xen-cpuid -p', `${policy.name} policy lacks CPUID leaf ${l0 ? 1 : 0}`);
  const ascii = (r: number): string => String.fromCharCode(r & 0xff, (r >>> 8) & 0xff, (r >>> 16) & 0xff, (r >>> 24) & 0xff);
  const vendor = ascii(l0.regs[1]) + ascii(l0.regs[3]) + ascii(l0.regs[2]);
  const eax = l1.regs[0];
  let family = (eax >>> 8) & 0xf;
  if (family === 0xf) family += (eax >>> 20) & 0xff;
  let model = (eax >>> 4) & 0xf;
  if (family >= 6) model |= (eax >>> 12) & 0xf0;
  return { vendor, family, model };
}

/** "%08x:%08x:..." as xen-cpuid takes a featureset on its command line. */
export function featuresetArgument(words: readonly number[]): string {
  return words.map((w) => (w >>> 0).toString(16).padStart(8, '0')).join(':');
}
