/**
 * The api contract: every request a renderer (or a browser over WebSocket) may make, and
 * every subscription topic, as schemas with the types inferred from them. Both transports
 * (Electron MessagePort, WebSocket) carry the envelopes of ./envelope.ts with these
 * methods; the router validates params against these schemas before any service runs.
 */
import { DomainDevicesSchema } from './domain-config-schemas';
import { z } from 'zod';
import {
  CpuListSchema,
  CpupoolNameSchema,
  CpupoolSummarySchema,
  CreateDomainResultSchema,
  DomainSchedInfoSchema,
  DomainSchedParamsSchema,
  PoolSchedParamsSchema,
  PoolSchedInfoSchema,
  SchedulerNameSchema,
  VcpuSummarySchema,
  VcpuSchedParamsSchema,
  DomainNameSchema,
  DomainRefSchema,
  DomainSummarySchema,
  HostIdSchema,
  HostListEntrySchema,
  HostStatsSchema,
  DomainStatsSchema,
  HostTopologySchema,
  TopologySpecSchema,
  CpuPolicySchema,
  XenstoreListingSchema,
  XenstorePathSchema,
  SshTargetSchema,
  HostSummarySchema,
  ToolstackEventSchema,
} from './schemas';
import { CoreDumpResultSchema, CoreFileListSchema, KeptConfigSchema, NewImageSchema, PhysinfoSchema, RestoreResultSchema, SaveImageListSchema, SaveImageNameSchema, SaveResultSchema } from './xl-schemas';

const DomidSchema = z.number().int().min(0).max(0x7fef);
const onDomain = z.object({ hostId: HostIdSchema, domain: DomainRefSchema }).strict();
const onPool = z.object({ hostId: HostIdSchema, pool: CpupoolNameSchema }).strict();

export const API_VERSION = 1;

export const methods = {
  'app.info': {
    params: z.object({}).strict(),
    result: z.object({ apiVersion: z.number().int(), appVersion: z.string(), mode: z.enum(['electron', 'serve']), engine: z.string() }),
  },
  'host.list': { params: z.object({}).strict(), result: z.array(HostListEntrySchema) },
  /** Add a real Xen host over SSH; `trustFingerprint` accepts its host key on first contact. */
  'host.add': {
    params: z.object({ id: HostIdSchema, ssh: SshTargetSchema, sudo: z.boolean().optional(), trustFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/).optional() }).strict(),
    result: z.object({}),
  },
  /** Add a simulated host from a preset (`host.presets` lists them). */
  'host.addEmbedded': {
    params: z.object({ id: HostIdSchema, preset: z.string().max(64), seed: z.number().int().min(0).max(2 ** 31 - 1).optional(), topology: TopologySpecSchema.optional() }).strict(),
    result: z.object({}),
  },
  'host.presets': {
    params: z.object({}).strict(),
    result: z.array(z.object({ id: z.string(), label: z.string(), nrCpus: z.number().int(), memoryMiB: z.number().int() })),
  },
  'host.remove': { params: z.object({ hostId: HostIdSchema }).strict(), result: z.object({}) },
  'host.summary': { params: z.object({ hostId: HostIdSchema }).strict(), result: HostSummarySchema },
  'host.topology': { params: z.object({ hostId: HostIdSchema }).strict(), result: HostTopologySchema },
  /** One level of a host's xenstore: the node, its value and permissions, and its children. */
  'xenstore.list': { params: z.object({ hostId: HostIdSchema, path: XenstorePathSchema }).strict(), result: XenstoreListingSchema },
  /** The host's CPUID policy, or a domain's when `domain` is given. */
  'cpu.policy': { params: z.object({ hostId: HostIdSchema, domain: DomainRefSchema.optional() }).strict(), result: CpuPolicySchema },
  'host.dmesg': {
    params: z.object({ hostId: HostIdSchema, clear: z.boolean().optional() }).strict(),
    result: z.object({ text: z.string() }),
  },
  /** `xl debug-keys`: keys for Xen's keyhandler (printable ASCII; the answers land in dmesg). */
  'host.debugKeys': {
    params: z.object({ hostId: HostIdSchema, keys: z.string().regex(/^[!-~]+$/, 'printable ASCII debug keys').max(64) }).strict(),
    result: z.object({}),
  },
  'domain.list': { params: z.object({ hostId: HostIdSchema }).strict(), result: z.array(DomainSummarySchema) },
  'domain.get': { params: onDomain, result: DomainSummarySchema },
  'domain.create': {
    params: z
      .object({
        hostId: HostIdSchema,
        configText: z.string().max(256 * 1024, 'an xl.cfg of more than 256 KiB'),
        file: z.string().max(4096).optional(),
        paused: z.boolean().optional(),
        dryRun: z.boolean().optional(),
        overrides: z.array(z.string().max(4096)).max(64).optional(),
        /** Raw images to make in dom0 before the create (removed again if it fails); existing ones are kept. */
        newImages: z.array(NewImageSchema).max(16).optional(),
      })
      .strict(),
    result: CreateDomainResultSchema,
  },
  'domain.pause': { params: onDomain, result: z.object({}) },
  'domain.unpause': { params: onDomain, result: z.object({}) },
  'domain.shutdown': { params: onDomain.extend({ reboot: z.boolean().optional() }).strict(), result: z.object({}) },
  'domain.destroy': { params: onDomain, result: z.object({}) },
  'domain.config': { params: onDomain, result: z.object({ text: z.string(), file: z.string() }).nullable() },
  /** `xl block-list` / `xl network-list`: the domain's vbds and vifs with their xenbus state. */
  'domain.devices': { params: onDomain, result: DomainDevicesSchema },
  'domain.vcpus': { params: z.object({ hostId: HostIdSchema, domain: DomainRefSchema.optional() }).strict(), result: z.array(VcpuSummarySchema) },
  'domain.sched': { params: onDomain, result: DomainSchedInfoSchema },
  'domain.setSched': {
    params: onDomain.extend({ params: DomainSchedParamsSchema, expect: SchedulerNameSchema.optional() }).strict(),
    result: z.object({}),
  },
  /** `xl rename`. */
  'domain.rename': { params: onDomain.extend({ name: DomainNameSchema }).strict(), result: z.object({}) },
  /** `xl mem-set`: the balloon target in KiB. */
  'domain.setMemoryTarget': { params: onDomain.extend({ targetKiB: z.number().int().min(0).max(2 ** 50) }).strict(), result: z.object({}) },
  /** `xl vcpu-set`: vCPUs 0..count-1 online, the rest offline. */
  'domain.setOnlineVcpus': { params: onDomain.extend({ count: z.number().int().min(0).max(8192) }).strict(), result: z.object({}) },
  /** `xl sched-rtds -d D -v N -p P -b B -e E`: per-vCPU RTDS parameters. */
  'domain.setVcpuSched': { params: onDomain.extend({ vcpus: z.array(VcpuSchedParamsSchema).min(1).max(8192) }).strict(), result: z.object({}) },
  /** `xl save [-c] [-p]` into the lab's save folder, <lab>/save/<host>/<name>.save (a name, never a path). */
  'domain.save': {
    params: onDomain.extend({ name: SaveImageNameSchema, checkpoint: z.boolean().optional(), paused: z.boolean().optional() }).strict(),
    result: SaveResultSchema,
  },
  /** `xl restore [-p]` of a save image of this host's folder. */
  'domain.restore': { params: z.object({ hostId: HostIdSchema, name: SaveImageNameSchema, paused: z.boolean().optional() }).strict(), result: RestoreResultSchema },
  /** The save images of a host (its folder and each image's name, size, time). */
  'save.list': { params: z.object({ hostId: HostIdSchema }).strict(), result: SaveImageListSchema },
  /** `xl trigger`: libxl_send_trigger. */
  'domain.trigger': { params: onDomain.extend({ trigger: z.enum(['power', 'sleep', 'nmi', 'init', 'reset', 's3resume']), vcpu: z.number().int().min(0).max(8191).optional() }).strict(), result: z.object({}) },
  /** `xl sysrq`: one SysRq key for the guest's kernel. */
  'domain.sysrq': { params: onDomain.extend({ key: z.string().length(1) }).strict(), result: z.object({}) },
  /** `xl block-attach`: xl's disk spec (xl-disk-configuration(5)), one or more strings. */
  'domain.blockAttach': { params: onDomain.extend({ spec: z.array(z.string().min(1).max(1024)).min(1).max(16) }).strict(), result: z.object({}) },
  /** `xl block-detach [-f]`: the vdev (xvdb) or its device number. */
  'domain.blockDetach': { params: onDomain.extend({ vdev: z.string().min(1).max(32), force: z.boolean().optional() }).strict(), result: z.object({}) },
  /** `xl network-attach`: KEY=VALUE arguments (xl-network-configuration(5)). */
  'domain.networkAttach': { params: onDomain.extend({ args: z.array(z.string().min(1).max(1024)).max(32) }).strict(), result: z.object({ warnings: z.array(z.string()) }) },
  /** `xl network-detach`: the devid or the mac. */
  'domain.networkDetach': { params: onDomain.extend({ dev: z.string().min(1).max(32) }).strict(), result: z.object({}) },
  /** `xl dump-core DOMAIN NAME` into the lab's dump folder, <lab>/dump/<host>/<name> (a name, never a path). */
  'domain.coreDump': { params: onDomain.extend({ name: SaveImageNameSchema }).strict(), result: CoreDumpResultSchema },
  /** The core files of a host (xl's /var/lib/xen/dump): on_crash="coredump-*" names them after the domain. */
  'dump.list': { params: z.object({ hostId: HostIdSchema }).strict(), result: CoreFileListSchema },
  'domain.migratePool': { params: onDomain.extend({ pool: CpupoolNameSchema }).strict(), result: z.object({}) },
  'cpupool.list': { params: z.object({ hostId: HostIdSchema }).strict(), result: z.array(CpupoolSummarySchema) },
  'cpupool.create': {
    params: z.object({ hostId: HostIdSchema, name: CpupoolNameSchema, sched: SchedulerNameSchema, cpus: CpuListSchema }).strict(),
    result: CpupoolSummarySchema,
  },
  'cpupool.destroy': { params: onPool, result: z.object({}) },
  'cpupool.addCpus': { params: onPool.extend({ cpus: CpuListSchema.min(1) }).strict(), result: z.object({}) },
  'cpupool.removeCpus': { params: onPool.extend({ cpus: CpuListSchema.min(1) }).strict(), result: z.object({}) },
  'cpupool.rename': { params: onPool.extend({ name: CpupoolNameSchema }).strict(), result: z.object({}) },
  /** `xl cpupool-numa-split`: one pool per NUMA node (only Pool-0 may exist before). */
  'cpupool.numaSplit': { params: z.object({ hostId: HostIdSchema }).strict(), result: z.array(CpupoolSummarySchema) },
  'cpupool.sched': { params: onPool, result: PoolSchedInfoSchema },
  'cpupool.setSched': { params: onPool.extend({ params: PoolSchedParamsSchema }).strict(), result: z.object({}) },
  /** Keystrokes to a domain's console (xenconsoled writes them into its input ring). */
  'console.input': {
    params: z.object({ hostId: HostIdSchema, domid: DomidSchema, data: z.string().min(1).max(64 * 1024) }).strict(),
    result: z.object({}),
  },
  /** What `xl` and the GUI need beyond the façade (main/api/embedded-only.ts; a real host keeps no configs: ENOSYS). */
  'host.physinfo': { params: z.object({ hostId: HostIdSchema }).strict(), result: PhysinfoSchema },
  'domain.keptConfig': { params: onDomain, result: KeptConfigSchema.nullable() },
  'domain.setVcpuAffinity': {
    params: onDomain.extend({ vcpu: z.union([z.number().int().min(0).max(4095), z.literal('all')]), hard: CpuListSchema.nullable(), soft: CpuListSchema.nullable() }).strict(),
    result: z.object({}),
  },
  'domain.setMaxMemory': { params: onDomain.extend({ maxKiB: z.number().int().min(0).max(2 ** 50) }).strict(), result: z.object({}) },
} as const;

export const topics = {
  /** Toolstack events of one host, or of every host when hostId is absent. */
  events: { params: z.object({ hostId: HostIdSchema.optional() }).strict(), item: ToolstackEventSchema },
  /**
   * Rates of one host once a second: pCPU busy % (pcpus) and domain CPU % as columns
   * (domains); a view asks for the part it shows (both by default).
   */
  stats: { params: z.object({ hostId: HostIdSchema, pcpus: z.boolean().optional(), domains: z.boolean().optional() }).strict(), item: HostStatsSchema },
  /** One domain once a second: CPU %, runstate shares, wake-up latency p99. */
  domainStats: { params: z.object({ hostId: HostIdSchema, domid: z.number().int().min(0).max(0x7fef) }).strict(), item: DomainStatsSchema },
  /** A domain's console output: its recent history first, then live chunks of text. */
  /**
   * (The console service already coalesces a burst into one item: no batch timer, so an echo goes
   * out at once. Its items are at most about VIEW_BUFFER_CHARS, 4 Mi characters: 8 batches in
   * flight, at most about 32 Mi characters, keep a flood moving while the browser's xterm works
   * through them. `bytes`: its items are pieces of one stream, so a transport with binary frames
   * (the WebSocket) sends each batch as their UTF-8 bytes, ./byte-batch.ts: a browser then gets
   * Uint8Array items.)
   */
  console: { params: z.object({ hostId: HostIdSchema, domid: DomidSchema }).strict(), item: z.string(), limits: { flushMs: 0, window: 8 }, bytes: true },
  /** A xenstore watch on a host's node: the path of each change at or below it (the first at once). */
  xenstoreWatch: { params: z.object({ hostId: HostIdSchema, path: XenstorePathSchema }).strict(), item: z.string() },
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type Params<M extends MethodName> = z.infer<Methods[M]['params']>;
export type Result<M extends MethodName> = z.infer<Methods[M]['result']>;
export type Topics = typeof topics;
export type TopicName = keyof Topics;
export type TopicParams<T extends TopicName> = z.infer<Topics[T]['params']>;
export type TopicItem<T extends TopicName> = z.infer<Topics[T]['item']>;
/** An item as a client receives it: a byte-stream topic's may come as its UTF-8 bytes (./byte-batch.ts). */
export type ReceivedItem<T extends TopicName> = TopicItem<T> | (Topics[T] extends { bytes: true } ? Uint8Array : never);

export function isMethodName(m: string): m is MethodName {
  return Object.hasOwn(methods, m);
}
export function isTopicName(t: string): t is TopicName {
  return Object.hasOwn(topics, t);
}
