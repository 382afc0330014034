import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../engine/remote/errors';
import {
  cpuIdentity,
  featuresetArgument,
  featuresetOf,
  parseXenCpuidFeaturesets,
  parseXenCpuidPolicies,
} from '../../../../engine/remote/parse/xen-cpuid';
import { realOut } from '../fixtures';

describe('xen-cpuid parsers (real Xen 4.17 output)', () => {
  const verbose = parseXenCpuidFeaturesets(realOut('xen-cpuid-v'));
  const policies = parseXenCpuidPolicies(realOut('xen-cpuid-p'));
  const host = policies.find((p) => p.name === 'Host');

  it('reads the featuresets of both sections and the label of each of the 19 words', () => {
    expect(verbose.labels).toHaveLength(19);
    expect(verbose.labels[0]).toEqual({ word: 0, label: 'CPUID 0x00000001.edx' });
    expect(verbose.labels[4]).toEqual({ word: 4, label: 'CPUID 0x0000000d:1.eax' });
    expect(verbose.labels[16]).toEqual({ word: 16, label: 'MSR_ARCH_CAPS.lo' });
    expect(verbose.sets.map((s) => `${s.section}/${s.name}`)).toEqual(
      expect.arrayContaining(['Static sets/Known', 'Static sets/PV Max', 'Dynamic sets/Host', 'Dynamic sets/PV Max', 'Dynamic sets/HVM Default']),
    );
    const dynHost = verbose.sets.find((s) => s.section === 'Dynamic sets' && s.name === 'Host');
    expect(dynHost?.words).toHaveLength(19);
    expect(dynHost?.names[0]).toEqual(expect.arrayContaining(['fpu', 'tsc', 'sse', 'sse2']));
    expect(dynHost?.names[3]).toContain('svm');
  });

  it('reads every policy of -p, leaves and MSRs, subleaf ffffffff as none', () => {
    expect(policies.map((p) => p.name)).toEqual(['Raw', 'Host', 'PV Max', 'HVM Max', 'PV Default', 'HVM Default']);
    expect(host?.leaves[0]).toEqual({ leaf: 0, subleaf: null, regs: [0xd, 0x68747541, 0x444d4163, 0x69746e65] });
    expect(host?.msrs.map((m) => m.index)).toEqual([0xce, 0x10a]);
  });

  it("lays a policy's leaves out as the featureset Xen itself reports for it", () => {
    // the same host seen two ways: XEN_SYSCTL_get_cpu_featureset and XEN_SYSCTL_get_cpu_policy
    const dynHost = verbose.sets.find((s) => s.section === 'Dynamic sets' && s.name === 'Host');
    expect(featuresetOf(host!, verbose.labels)).toEqual(dynHost?.words);
    const pvMax = verbose.sets.find((s) => s.section === 'Dynamic sets' && s.name === 'PV Max');
    expect(featuresetOf(policies.find((p) => p.name === 'PV Max')!, verbose.labels)).toEqual(pvMax?.words);
  });

  it('names vendor, family and model as Xen computes them (AMD family 0xf uses the extended fields)', () => {
    expect(cpuIdentity(host!)).toEqual({ vendor: 'AuthenticAMD', family: 15, model: 107 });
    // an Intel Skylake-SP leaf 1 (eax 0x00050654): family 6, model 0x55
    const intel = { name: 'x', leaves: [{ leaf: 0, subleaf: null, regs: [0x16, 0x756e6547, 0x6c65746e, 0x49656e69] as [number, number, number, number] }, { leaf: 1, subleaf: null, regs: [0x50654, 0, 0, 0] as [number, number, number, number] }], msrs: [] };
    expect(cpuIdentity(intel)).toEqual({ vendor: 'GenuineIntel', family: 6, model: 0x55 });
    expect(() => cpuIdentity({ name: 'empty', leaves: [], msrs: [] })).toThrow(ParseError);
  });

  it("reads a guest's policy and the decoding of a featureset given back to xen-cpuid", () => {
    const [guest] = parseXenCpuidPolicies(realOut('xen-cpuid-policy-guest'));
    expect(guest?.name).toMatch(/^Domain \d+$/);
    const words = featuresetOf(guest!, verbose.labels);
    expect(featuresetArgument(words.slice(0, 4))).toBe('1789c3f5:80002001:2191cbf5:00000003');
    const [decoded] = parseXenCpuidFeaturesets(realOut('xen-cpuid-decode')).sets;
    expect(decoded).toMatchObject({ section: '', name: 'Raw', words: [0x1789c3f5, 0x80002001, 0x20100800, 0x00000003] });
    expect(decoded?.names.flat()).toEqual(expect.arrayContaining(['fpu', 'sse2', 'sse3', 'cx16', 'hyper', 'nx', 'lm', 'lahf-lm']));
    expect(decoded?.names.flat()).not.toContain('svm');
  });

  it('refuses output it does not know', () => {
    expect(() => parseXenCpuidFeaturesets('what is this\n')).toThrow(ParseError);
    expect(() => parseXenCpuidPolicies('  00000000:ffffffff -> 0:0:0:0\n')).toThrow(ParseError);
  });
});
