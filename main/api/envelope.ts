/**
 * The envelopes both transports carry. A client sends requests, subscriptions, their
 * cancellation and acks; the server sends responses and batches. Streams are batched
 * (many items per message) and flow-controlled: the server keeps at most a window of
 * unacknowledged batches per subscription and holds further items until acks come.
 */
import { z } from 'zod';

export const ApiErrorSchema = z.object({
  /** Xen's errno name (ESRCH, EEXIST ...) or an api code (EBADREQ, ENOMETHOD ...). */
  code: z.string(),
  message: z.string(),
  hint: z.string().optional(),
  where: z.object({ file: z.string(), line: z.number().int(), column: z.number().int() }).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

const Id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const ClientMessageSchema = z.discriminatedUnion('t', [
  z.object({ t: z.literal('req'), id: Id, method: z.string().max(64), params: z.unknown() }).strict(),
  z.object({ t: z.literal('sub'), id: Id, topic: z.string().max(64), params: z.unknown() }).strict(),
  z.object({ t: z.literal('unsub'), id: Id }).strict(),
  z.object({ t: z.literal('ack'), id: Id, seq: z.number().int().min(0) }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ServerMessage =
  | { t: 'res'; id: number; ok: true; result: unknown }
  | { t: 'res'; id: number; ok: false; error: ApiError }
  /** Items of subscription `id`; `dropped` counts items lost to an overflowing queue. */
  | { t: 'batch'; id: number; seq: number; items: unknown[]; dropped?: number }
  /** A subscription the server ended (bad params, or the source went away). */
  | { t: 'end'; id: number; error?: ApiError };

/** Batching and flow control figures (per subscription). */
export const STREAM = {
  /** Items are gathered for this long before a batch goes out. */
  flushMs: 16,
  maxItemsPerBatch: 512,
  /** Batches in flight without an ack. */
  window: 4,
  /** Items held while the window is full; beyond this the oldest are dropped and counted. */
  maxQueued: 10_000,
} as const;
