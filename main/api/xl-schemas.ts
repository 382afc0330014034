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

/** `xl save` into the lab's save folder: the image by name (main/services/save-images.ts). */
export const SaveImageNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a save image name is 1-64 letters, digits, _ . - starting with a letter or digit');

/** A raw disk image to make in dom0 before a create: an absolute dom0 path, 1 MiB to 16 TiB. */
export const NewImageSchema = z
  .object({
    path: z
      .string()
      .max(4096)
      .regex(/^\/[^\0]*$/, 'an absolute path in dom0')
      .refine((p) => !p.split('/').includes('..'), 'a path without ".." components'),
    sizeMiB: z.number().int().min(1).max(16 * 1024 * 1024),
  })
  .strict();

export const SaveResultSchema = z.object({
  name: z.string(),
  file: z.string(),
  bytes: z.number().int(),
  pages: z.number().int(),
  dataPages: z.number().int(),
  log: z.array(z.string()),
});

export const RestoreResultSchema = z.object({
  domid: z.number().int(),
  name: z.string(),
  pages: z.number().int(),
  dataPages: z.number().int(),
  log: z.array(z.string()),
});

export const SaveImageListSchema = z.object({
  dir: z.string(),
  images: z.array(z.object({ name: z.string(), bytes: z.number().int(), mtimeMs: z.number() })),
});

/** `xl dump-core` over the api: the core file by name in <lab>/dump/<host>/ (main/services/core-dumps.ts). */
export const CoreDumpResultSchema = z.object({
  name: z.string(),
  file: z.string(),
  bytes: z.number().int(),
  pages: z.number().int(),
  dataPages: z.number().int(),
  vcpus: z.number().int(),
});

export const CoreFileListSchema = z.object({
  dir: z.string(),
  files: z.array(z.object({ name: z.string(), bytes: z.number().int(), mtimeMs: z.number() })),
});
