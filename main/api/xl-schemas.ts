/**
 * Schemas of what only `xl` asks of a host over the api (XEN_SYSCTL_physinfo for
 * `xl info`, the config a domain was created from for `xl list -l` / `xl uptime`). Kept
 * apart from schemas.ts so the xl methods stay an additive corner of the contract; the
 * `Same<>` checks fail the type check if a schema drifts from the engine's type.
 */
import { z } from 'zod';
import type { Physinfo } from '../../engine/hypervisor/xen';
import type { KeptConfig } from '../../engine/toolstack/embedded-host';
import { CreateDomainResultSchema } from './schemas';

export const PhysinfoSchema = z.object({
  threadsPerCore: z.number().int(),
  coresPerSocket: z.number().int(),
  nrCpus: z.number().int(),
  maxCpuId: z.number().int(),
  nrNodes: z.number().int(),
  maxNodeId: z.number().int(),
  cpuKhz: z.number(),
  totalPages: z.number().int(),
  freePages: z.number().int(),
  capabilities: z.array(z.string()),
});

export const KeptConfigSchema = z.object({
  text: z.string(),
  file: z.string(),
  buildInfo: CreateDomainResultSchema.shape.buildInfo,
  createdNs: z.number(),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _checks: [Same<z.infer<typeof PhysinfoSchema>, Physinfo>, Same<z.infer<typeof KeptConfigSchema>, KeptConfig>] = [true, true];
void _checks;
