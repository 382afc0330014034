/**
 * The lab journal: the successful mutating toolstack operations of a lab host, in order.
 * The embedded engine is deterministic (seeded), so booting a host with the lab's preset
 * and seed and applying the journal again gives back the same host — domids, uuids,
 * memory layout — which is how successive `xl --lab DIR ...` runs share one host.
 * Entries name domains by domid: replay allocates the same domids.
 */
import { TRIGGERS } from '../../toolstack/host-api';
import { z } from 'zod';
import { cpupoolNumaSplit } from '../../toolstack/cpupool-numa-split';
import type { XlHost } from './context';

const SchedulerSchema = z.enum(['credit', 'credit2', 'rtds', 'null']);

export const JournalEntrySchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('create'),
    configText: z.string(),
    file: z.string(),
    overrides: z.array(z.string()),
    paused: z.boolean(),
  }),
  z.object({ op: z.literal('destroy'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('pause'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('unpause'), domid: z.number().int().nonnegative() }),
  z.object({ op: z.literal('shutdown'), domid: z.number().int().nonnegative(), reboot: z.boolean() }),
  z.object({ op: z.literal('dmesg-clear') }),
  /** `xl debug-keys`: replayed so the console ring holds what the keys printed. */
  z.object({ op: z.literal('debug-keys'), keys: z.string().min(1) }),
  /** `xl save`: what it did to the domain (the file is not written again on replay). */
  z.object({ op: z.literal('save'), domid: z.number().int().nonnegative(), effect: z.enum(['destroy', 'pause', 'none']) }),
  /** `xl restore`: from the lab's own copy of the image. */
  z.object({ op: z.literal('restore'), image: z.string(), paused: z.boolean(), configText: z.string().optional() }),
  z.object({
    op: z.literal('vcpu-pin'),
    domid: z.number().int().nonnegative(),
    vcpu: z.union([z.number().int().nonnegative(), z.literal('all')]),
    hard: z.array(z.number().int().nonnegative()).nullable(),
    soft: z.array(z.number().int().nonnegative()).nullable(),
  }),
  z.object({ op: z.literal('mem-max'), domid: z.number().int().nonnegative(), maxKiB: z.number().int().nonnegative() }),
  z.object({ op: z.literal('mem-set'), domid: z.number().int().nonnegative(), targetKiB: z.number().int().nonnegative() }),
  z.object({ op: z.literal('vcpu-set'), domid: z.number().int().nonnegative(), count: z.number().int().nonnegative() }),
  z.object({ op: z.literal('rename'), domid: z.number().int().nonnegative(), name: z.string() }),
  z.object({ op: z.literal('sysrq'), domid: z.number().int().nonnegative(), key: z.string() }),
  z.object({ op: z.literal('trigger'), domid: z.number().int().nonnegative(), trigger: z.enum(TRIGGERS), vcpu: z.number().int().nonnegative() }),
  z.object({ op: z.literal('block-attach'), domid: z.number().int().nonnegative(), spec: z.array(z.string()) }),
  z.object({ op: z.literal('block-detach'), domid: z.number().int().nonnegative(), vdev: z.string(), force: z.boolean() }),
  z.object({ op: z.literal('network-attach'), domid: z.number().int().nonnegative(), args: z.array(z.string()) }),
  z.object({ op: z.literal('network-detach'), domid: z.number().int().nonnegative(), dev: z.string() }),
  z.object({
    op: z.literal('sched-vcpus'),
    domid: z.number().int().nonnegative(),
    vcpus: z.array(z.object({ vcpu: z.number().int().nonnegative(), period: z.number().int(), budget: z.number().int(), extratime: z.boolean() })),
  }),
  z.object({ op: z.literal('cpupool-create'), name: z.string(), sched: SchedulerSchema, cpus: z.array(z.number().int().nonnegative()) }),
  z.object({ op: z.literal('cpupool-destroy'), pool: z.string() }),
  z.object({ op: z.literal('cpupool-cpu-add'), pool: z.string(), cpus: z.array(z.number().int().nonnegative()) }),
  z.object({ op: z.literal('cpupool-cpu-remove'), pool: z.string(), cpus: z.array(z.number().int().nonnegative()) }),
  z.object({ op: z.literal('cpupool-rename'), pool: z.string(), name: z.string() }),
  z.object({ op: z.literal('cpupool-migrate'), domid: z.number().int().nonnegative(), pool: z.string() }),
  z.object({ op: z.literal('cpupool-numa-split') }),
  z.object({
    op: z.literal('sched-domain'),
    domid: z.number().int().nonnegative(),
    params: z.object({ weight: z.number().optional(), cap: z.number().optional(), period: z.number().optional(), budget: z.number().optional(), extratime: z.boolean().optional() }),
    expect: SchedulerSchema.optional(),
  }),
  z.object({
    op: z.literal('sched-pool'),
    pool: z.string(),
    params: z.object({ tsliceMs: z.number().optional(), ratelimitUs: z.number().optional(), vcpuMigrDelayUs: z.number().optional() }),
  }),
]);

export type JournalEntry = z.infer<typeof JournalEntrySchema>;

/** Apply one entry to a host, exactly as the command that recorded it did. */
export async function applyEntry(host: XlHost, e: JournalEntry): Promise<void> {
  switch (e.op) {
    case 'create':
      await host.createDomain({ configText: e.configText, file: e.file, overrides: e.overrides, paused: e.paused });
      return;
    case 'destroy':
      return host.destroy(e.domid);
    case 'pause':
      return host.pause(e.domid);
    case 'unpause':
      return host.unpause(e.domid);
    case 'shutdown':
      return host.shutdown(e.domid, { reboot: e.reboot });
    case 'dmesg-clear':
      await host.dmesg({ clear: true });
      return;
    case 'debug-keys':
      return host.debugKeys(e.keys);
    case 'save':
      if (e.effect === 'destroy') return host.destroy(e.domid);
      if (e.effect === 'pause') return host.pause(e.domid);
      return;
    case 'restore':
      await host.restore(e.image, { paused: e.paused, ...(e.configText !== undefined ? { configText: e.configText } : {}) });
      return;
    case 'vcpu-pin':
      return host.setVcpuAffinity(e.domid, e.vcpu, e.hard, e.soft);
    case 'mem-max':
      return host.setMaxMemory(e.domid, e.maxKiB);
    case 'mem-set':
      return host.setMemoryTarget(e.domid, e.targetKiB);
    case 'vcpu-set':
      return host.setOnlineVcpus(e.domid, e.count);
    case 'rename':
      return host.renameDomain(e.domid, e.name);
    case 'sysrq':
      return host.sendSysrq(e.domid, e.key);
    case 'trigger':
      return host.sendTrigger(e.domid, e.trigger, e.vcpu);
    case 'block-attach':
      return host.blockAttach(e.domid, e.spec);
    case 'block-detach':
      return host.blockDetach(e.domid, e.vdev, { force: e.force });
    case 'network-attach':
      return void (await host.networkAttach(e.domid, e.args));
    case 'network-detach':
      return host.networkDetach(e.domid, e.dev);
    case 'sched-vcpus':
      return host.setVcpuSched(e.domid, e.vcpus);
    case 'cpupool-create':
      await host.createCpupool(e.name, e.sched, e.cpus);
      return;
    case 'cpupool-destroy':
      return host.destroyCpupool(e.pool);
    case 'cpupool-cpu-add':
      return host.cpupoolAddCpus(e.pool, e.cpus);
    case 'cpupool-cpu-remove':
      return host.cpupoolRemoveCpus(e.pool, e.cpus);
    case 'cpupool-rename':
      return host.renameCpupool(e.pool, e.name);
    case 'cpupool-migrate':
      return host.migrateToCpupool(e.domid, e.pool);
    case 'cpupool-numa-split':
      // dom0's vCPUs go offline at once on a lab host: nothing to wait for
      await cpupoolNumaSplit(host, { wait: async () => undefined });
      return;
    case 'sched-domain':
      return host.setDomainSched(e.domid, withoutUndefined(e.params), e.expect);
    case 'sched-pool':
      return host.setPoolSched(e.pool, withoutUndefined(e.params));
  }
}

/** zod's optional keys come back as `key?: T | undefined`; the façade wants them absent. */
function withoutUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

/** A one-line label for messages ("create web1.cfg", "destroy 3"). */
export function describeEntry(e: JournalEntry): string {
  switch (e.op) {
    case 'create':
      return `create ${e.file}`;
    case 'dmesg-clear':
      return 'dmesg -c';
    case 'debug-keys':
      return `debug-keys ${e.keys}`;
    case 'save':
      return `save ${e.domid}`;
    case 'restore':
      return `restore ${e.image}`;
    case 'shutdown':
      return `${e.reboot ? 'reboot' : 'shutdown'} ${e.domid}`;
    case 'destroy':
    case 'pause':
    case 'unpause':
    case 'vcpu-pin':
    case 'mem-max':
    case 'mem-set':
    case 'vcpu-set':
      return `${e.op} ${e.domid}`;
    case 'rename':
      return `rename ${e.domid} ${e.name}`;
    case 'sysrq':
    case 'trigger':
    case 'block-attach':
    case 'network-attach':
    case 'block-detach':
    case 'network-detach':
      return `${e.op} ${e.domid}`;
    case 'sched-vcpus':
      return `sched-rtds -v ${e.domid}`;
    case 'sched-domain':
      return `sched ${e.domid}`;
    case 'cpupool-migrate':
      return `cpupool-migrate ${e.domid} ${e.pool}`;
    case 'cpupool-create':
      return `cpupool-create ${e.name}`;
    case 'cpupool-numa-split':
      return 'cpupool-numa-split';
    default:
      return `${e.op} ${e.pool}`;
  }
}
