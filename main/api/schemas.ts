/**
 * Schemas of the data the toolstack hands out (engine/toolstack/types.ts), checked on the
 * wire. The `Same<>` assertions at the bottom fail the type check if a schema and the
 * engine's type drift apart.
 */
import { BuildInfoExtraSchema, DeviceArraysSchema } from './domain-config-schemas';
import { z } from 'zod';
import type { DomainStats } from '../services/domain-stats';
import type { HostStats } from '../services/host-stats';
import type { CpupoolSummary, CreateDomainResult, DomainSchedInfo, DomainSummary, HostSummary, HostTopology, PoolSchedInfoT, PoolSchedParamsT, ToolstackEvent, VcpuSummary } from '../../engine/toolstack/types';

/** xl's domain qualifier: a domid, or a name (libxl_domain_qualifier_to_domid). */
export const DomainRefSchema = z.union([z.number().int().min(0).max(0x7fef), z.string().min(1).max(64)]);
/** A domain name as XenDeck keeps it: also the name of its xl.cfg file in the lab. */
export const DomainNameSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'a domain name is 1-64 letters, digits, _ . -').refine((s) => !s.startsWith('.'), 'a domain name may not start with a dot');
export const HostIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a host id is 1-64 letters, digits, _ . -');

/** How a real Xen host is reached (engine/remote SshTarget, minus secrets: a key is named by its path). */
export const SshTargetSchema = z
  .object({
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().regex(/^[a-z_][a-z0-9_.-]{0,31}$/i, 'a Unix user name'),
    privateKeyPath: z.string().max(4096).optional(),
  })
  .strict();
/** A custom host topology (engine/hypervisor/topology.ts TopologySpec); Xen's limits are checked by the engine. */
export const TopologySpecSchema = z
  .object({
    sockets: z.number().int().min(1).max(256),
    coresPerSocket: z.number().int().min(1).max(512),
    threadsPerCore: z.number().int().min(1).max(8),
    nodes: z.number().int().min(1).max(256).optional(),
    memoryMiB: z.number().int().min(1024).max(64 * 1024 * 1024),
    x2apic: z.boolean(),
  })
  .strict();

export const HostSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(['embedded', 'remote']),
  hostname: z.string(),
  xenVersion: z.string(),
  hardware: z.string(),
  nrCpus: z.number().int(),
  nrNodes: z.number().int(),
  cpuMhz: z.number(),
  totalMemoryMiB: z.number().int(),
  freeMemoryMiB: z.number().int(),
  scheduler: z.string(),
  nrDomains: z.number().int(),
  nowNs: z.number(),
  xenstoredPath: z.string().optional(),
});

export const DomainSummarySchema = z.object({
  domid: z.number().int(),
  uuid: z.string(),
  name: z.string(),
  type: z.enum(['pv', 'pvh', 'hvm']),
  state: z.string().length(6),
  shutdownReason: z.enum(['poweroff', 'reboot', 'suspend', 'crash', 'watchdog', 'soft_reset']).nullable(),
  memoryMiB: z.number().int(),
  maxMemoryMiB: z.number().int(),
  targetMemoryMiB: z.number().int(),
  onlineVcpus: z.number().int(),
  maxVcpus: z.number().int(),
  cpuTimeS: z.number(),
  cpupool: z.string(),
});

const ShutdownActionSchema = z.enum(['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart', 'soft-reset']);

export const CreateDomainResultSchema = z.object({
  domid: z.number().int().optional(),
  name: z.string(),
  buildInfo: z.object({
    c_info: z.object({ type: z.enum(['pv', 'pvh', 'hvm']), name: z.string(), uuid: z.string().optional(), pool_name: z.string().optional() }),
    b_info: z.object({
      max_vcpus: z.number().int(),
      avail_vcpus: z.array(z.number().int()),
      max_memkb: z.number().int(),
      target_memkb: z.number().int(),
      kernel: z.string().optional(),
      ramdisk: z.string().optional(),
      cmdline: z.string().optional(),
      cpuid: z.record(z.string(), z.union([z.literal(0), z.literal(1), z.literal('k')])).optional(),
      ...BuildInfoExtraSchema,
      boot: z.string().optional(),
    }),
    ...DeviceArraysSchema,
    on_poweroff: ShutdownActionSchema,
    on_reboot: ShutdownActionSchema,
    on_crash: ShutdownActionSchema,
    on_soft_reset: ShutdownActionSchema.optional(),
  }),
  warnings: z.array(z.string()),
});

export const ToolstackEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('domain.created'), hostId: z.string(), domain: DomainSummarySchema }),
  z.object({ kind: z.literal('domain.changed'), hostId: z.string(), domain: DomainSummarySchema, previousName: z.string().optional() }),
  z.object({ kind: z.literal('domain.destroyed'), hostId: z.string(), domid: z.number().int(), name: z.string() }),
  z.object({ kind: z.literal('host.log'), hostId: z.string(), level: z.enum(['info', 'warning', 'error']), message: z.string() }),
  z.object({ kind: z.literal('domain.progress'), hostId: z.string(), domid: z.number().int(), op: z.literal('save'), done: z.number().int(), total: z.number().int() }),
]);

export const HostListEntrySchema = z.object({
  id: z.string(),
  kind: z.enum(['embedded', 'remote']),
  state: z.enum(['online', 'connecting', 'offline']),
  detail: z.string().nullable(),
  summary: HostSummarySchema.nullable(),
});

export const SchedulerNameSchema = z.enum(['credit', 'credit2', 'rtds', 'null']);
export const CpupoolNameSchema = z.string().min(1).max(255).regex(/^[^\0\n]+$/);
export const CpuListSchema = z.array(z.number().int().min(0).max(4095)).max(4096);

export const CpupoolSummarySchema = z.object({ poolId: z.number().int(), name: z.string(), sched: SchedulerNameSchema, cpus: z.array(z.number().int()), nDomains: z.number().int() });

/** xl's units: weight 1-65535, cap % of one pCPU, RTDS budget and period in µs. */
export const DomainSchedParamsSchema = z
  .object({
    weight: z.number().int().min(0).max(65535).optional(),
    cap: z.number().int().min(0).max(409600).optional(),
    period: z.number().int().min(1).optional(),
    budget: z.number().int().min(1).optional(),
    extratime: z.boolean().optional(),
  })
  .strict();

/** One vCPU's RTDS budget and period (µs; RTDS's bounds are checked by the scheduler, with its errors). */
export const VcpuSchedParamsSchema = z.object({ vcpu: z.number().int().min(0).max(8191), period: z.number().int().min(0).max(2 ** 52), budget: z.number().int().min(0).max(2 ** 52), extratime: z.boolean() }).strict();

export const DomainSchedInfoSchema = z.object({
  sched: SchedulerNameSchema,
  pool: z.string(),
  params: DomainSchedParamsSchema,
  vcpus: z.array(VcpuSchedParamsSchema).optional(),
});

export const PoolSchedParamsSchema = z
  .object({
    tsliceMs: z.number().int().min(1).max(1000).optional(),
    ratelimitUs: z.number().int().min(0).max(500000).optional(),
    vcpuMigrDelayUs: z.number().int().min(0).max(100000).optional(),
  })
  .strict();

export const PoolSchedInfoSchema = z.object({
  sched: SchedulerNameSchema,
  params: PoolSchedParamsSchema,
  runqueues: z
    .object({
      arrangement: z.enum(['cpu', 'core', 'socket', 'node', 'all']),
      maxCpusRunqueue: z.number().int(),
      runqueues: z.array(z.object({ id: z.number().int(), cpus: z.array(z.number().int()) })),
    })
    .optional(),
});

export const VcpuSummarySchema = z.object({
  domid: z.number().int(),
  name: z.string(),
  vcpu: z.number().int(),
  cpu: z.number().int().nullable(),
  online: z.boolean(),
  runstate: z.enum(['running', 'runnable', 'blocked', 'offline']),
  cpuTimeS: z.number(),
  hardAffinity: z.string(),
  softAffinity: z.string(),
  runstateNs: z.object({ running: z.number(), runnable: z.number(), blocked: z.number(), offline: z.number() }).optional(),
});

export const HostTopologySchema = z.object({
  sockets: z.number().int(),
  coresPerSocket: z.number().int(),
  threadsPerCore: z.number().int(),
  nrNodes: z.number().int(),
  cpus: z.array(z.object({ cpu: z.number().int(), socket: z.number().int(), core: z.number().int(), node: z.number().int() })),
  nodes: z.array(z.object({ node: z.number().int(), memoryMiB: z.number(), freeMiB: z.number(), distances: z.array(z.number()) })),
});

export const HostStatsSchema = z.object({
  hostId: z.string(),
  nowNs: z.number(),
  intervalNs: z.number(),
  pcpuBusyPct: z.array(z.number()),
  pcpuPool: z.array(z.number().int()),
  domids: z.array(z.number().int()),
  domainCpuPct: z.array(z.number()),
});

export const DomainStatsSchema = z.object({
  hostId: z.string(),
  domid: z.number().int(),
  nowNs: z.number(),
  cpuPct: z.number(),
  runstatePct: z.object({ running: z.number(), runnable: z.number(), blocked: z.number(), offline: z.number() }),
  wakeP99Us: z.number(),
  deadlineMisses: z.number().int(),
});

const XenstoreNodeSchema = z.object({ path: z.string(), value: z.string(), perms: z.array(z.string()), children: z.number().int() });
export const XenstoreListingSchema = z.object({ node: XenstoreNodeSchema, children: z.array(XenstoreNodeSchema) });
/** docs/misc/xenstore.txt: absolute paths of at most 3072 characters. */
export const XenstorePathSchema = z.string().max(3072).regex(/^\/[A-Za-z0-9\-/_@.:]*$/, 'an absolute xenstore path');

export const CpuPolicySchema = z.object({ vendor: z.enum(['GenuineIntel', 'AuthenticAMD']), family: z.number().int(), model: z.number().int(), features: z.array(z.string()), tscKhz: z.number() });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _checks: [
  Same<z.infer<typeof HostSummarySchema>, HostSummary>,
  Same<z.infer<typeof DomainSummarySchema>, DomainSummary>,
  Same<z.infer<typeof ToolstackEventSchema>, ToolstackEvent>,
  Same<z.infer<typeof CreateDomainResultSchema>, CreateDomainResult>,
  Same<z.infer<typeof CpupoolSummarySchema>, CpupoolSummary>,
  Same<z.infer<typeof DomainSchedInfoSchema>, DomainSchedInfo>,
  Same<z.infer<typeof PoolSchedParamsSchema>, PoolSchedParamsT>,
  Same<z.infer<typeof PoolSchedInfoSchema>, PoolSchedInfoT>,
  Same<z.infer<typeof VcpuSummarySchema>, VcpuSummary>,
  Same<z.infer<typeof HostTopologySchema>, HostTopology>,
  Same<z.infer<typeof HostStatsSchema>, HostStats>,
  Same<z.infer<typeof DomainStatsSchema>, DomainStats>,
] = [true, true, true, true, true, true, true, true, true, true, true, true];
void _checks;
