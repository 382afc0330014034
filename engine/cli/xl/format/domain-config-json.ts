/**
 * libxl_domain_config as JSON, in the shape libxl's generated *_gen_json functions give
 * it (tools/libs/light/gentypes.py, libxl_types.idl): fields equal to their default are
 * left out, aggregates ("type.pv", arch_arm, arch_x86, sched_params) are always printed,
 * enums are lower-case with underscores, defbools are "True"/"False".
 *
 * Two moments are modelled, as real xl shows them:
 *   - `xl -N create`: the config as parsed, before libxl fills in defaults
 *     (docs: xen-facts §3.3, captured with a shimmed xl 4.17);
 *   - `xl list -l`: the config libxl kept for a running domain, with its defaults filled
 *     in — domid INVALID_DOMID in c_info, video_memkb, the pool's scheduler parameters,
 *     msr_relaxed (test/fixtures/realxen/xl-list-l-one.out).
 * Domain-0 has no kept config; libxl_retrieve_domain_configuration builds a small one
 * from the hypervisor's figures (xl-list-l.out).
 */
import type { DomainBuildInfoJson, DomainSummary, ShutdownAction } from '../../../toolstack/types';
import type { YajlValue } from './yajl-json';

const INVALID_DOMID = 4294967295;

/** The credit2 defaults every domain of Pool-0 shows (weight 256, no cap). */
const CREDIT2_PARAMS = { sched: 'credit2', weight: 256, cap: 0 };

/** libxl_action_on_shutdown_to_string: DESTROY is the first value and so the default. */
function actionJson(a: ShutdownAction): string {
  return a === 'rename-restart' ? 'restart_rename' : a.replace(/-/g, '_');
}

function onActions(b: DomainBuildInfoJson): Record<string, YajlValue> {
  const out: Record<string, YajlValue> = {};
  const put = (k: string, a: ShutdownAction): void => {
    if (a !== 'destroy') out[k] = actionJson(a);
  };
  put('on_poweroff', b.on_poweroff);
  put('on_reboot', b.on_reboot);
  put('on_crash', b.on_crash);
  put('on_soft_reset', b.on_soft_reset ?? 'soft-reset');
  return out;
}

/** The device arrays of libxl_domain_config, in its order, printed only when non-empty. */
function deviceArrays(b: DomainBuildInfoJson): Record<string, YajlValue> {
  const out: Record<string, YajlValue> = {};
  for (const k of ['disks', 'nics', 'pcidevs', 'vfbs', 'vkbs', 'usbctrls', 'usbdevs'] as const) {
    const v = b[k];
    if (v && v.length > 0) out[k] = v as unknown as YajlValue;
  }
  return out;
}

/** b_info fields before max_memkb: the vCPU affinities (arrays of bitmaps) and numa_placement. */
function affinityFields(b: DomainBuildInfoJson['b_info']): Record<string, YajlValue> {
  return {
    ...(b.vcpu_hard_affinity ? { vcpu_hard_affinity: b.vcpu_hard_affinity } : {}),
    ...(b.vcpu_soft_affinity ? { vcpu_soft_affinity: b.vcpu_soft_affinity } : {}),
    ...(b.numa_placement ? { numa_placement: b.numa_placement } : {}),
  };
}

/** The keyed union "type.<type>": the HVM members the config set, else {}. */
function typeUnion(c: DomainBuildInfoJson['c_info'], b: DomainBuildInfoJson['b_info']): Record<string, YajlValue> {
  const hvm = b.hvm ?? (b.boot !== undefined ? { boot: b.boot } : {});
  return { [`type.${c.type}`]: c.type === 'hvm' ? hvm : c.type === 'pv' ? (b.pv ?? {}) : {} };
}

function bootFields(b: DomainBuildInfoJson['b_info']): Record<string, YajlValue> {
  return {
    ...(b.kernel !== undefined ? { kernel: b.kernel } : {}),
    ...(b.cmdline !== undefined ? { cmdline: b.cmdline } : {}),
    ...(b.ramdisk !== undefined ? { ramdisk: b.ramdisk } : {}),
  };
}


/** `xl -N create`: the bare libxl_domain_config as parsed. */
export function dryRunConfigJson(b: DomainBuildInfoJson): YajlValue {
  const c = b.c_info;
  return {
    c_info: {
      type: c.type,
      name: c.name,
      ...(c.uuid !== undefined ? { uuid: c.uuid } : {}),
      ...(c.pool_name !== undefined ? { pool_name: c.pool_name } : {}),
      run_hotplug_scripts: 'True',
    },
    b_info: {
      max_vcpus: b.b_info.max_vcpus,
      avail_vcpus: b.b_info.avail_vcpus,
      ...affinityFields(b.b_info),
      max_memkb: b.b_info.max_memkb,
      target_memkb: b.b_info.target_memkb,
      // libxl_cpuid_policy_list_gen_json: the xend-form entries, then the (empty) MSR list
      ...(b.b_info.cpuid_xend ? { cpuid: { cpuid: b.b_info.cpuid_xend, msr: [] } } : {}),
      ...(b.b_info.device_model_version !== undefined ? { device_model_version: b.b_info.device_model_version } : {}),
      ...(b.b_info.device_model !== undefined ? { device_model: b.b_info.device_model } : {}),
      sched_params: b.b_info.sched_params ?? {},
      claim_mode: 'True',
      ...bootFields(b.b_info),
      ...typeUnion(c, b.b_info),
      arch_arm: {},
      arch_x86: {},
    },
    ...deviceArrays(b),
    ...onActions(b),
  };
}

/** One element of `xl list -l`: {domid, config} of a domain with a kept config. */
export function keptConfigJson(d: DomainSummary, b: DomainBuildInfoJson): YajlValue {
  const c = b.c_info;
  return {
    domid: d.domid,
    config: {
      c_info: {
        type: c.type,
        name: d.name,
        domid: INVALID_DOMID,
        uuid: d.uuid,
        ...(c.pool_name !== undefined ? { pool_name: c.pool_name } : {}),
        run_hotplug_scripts: 'True',
      },
      b_info: {
        max_vcpus: b.b_info.max_vcpus,
        avail_vcpus: b.b_info.avail_vcpus,
        ...affinityFields(b.b_info),
        // libxl_retrieve_domain_configuration reads the limits back from xenstore
        // (memory/static-max, memory/target): what they are now, after mem-max / mem-set
        max_memkb: d.maxMemoryMiB * 1024,
        target_memkb: d.targetMemoryMiB * 1024,
        video_memkb: c.type === 'hvm' ? 8192 : 0,
        sched_params: CREDIT2_PARAMS,
        claim_mode: 'True',
        ...bootFields(b.b_info),
        ...typeUnion(c, b.b_info),
        arch_arm: {},
        arch_x86: { msr_relaxed: 'False' },
      },
      ...deviceArrays(b),
      ...onActions(b),
    },
  };
}

/** Domain-0 (or any domain without a kept config): what libxl can read back. */
export function bareDomainJson(d: DomainSummary): YajlValue {
  return {
    domid: d.domid,
    config: {
      c_info: { type: d.type, name: d.name },
      b_info: {
        max_memkb: d.maxMemoryMiB * 1024,
        target_memkb: d.targetMemoryMiB * 1024,
        sched_params: CREDIT2_PARAMS,
        [`type.${d.type}`]: {},
        arch_arm: {},
        arch_x86: {},
      },
    },
  };
}
