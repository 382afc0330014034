/**
 * A transaction over the wire, as libxenstore users write it (xs_transaction_start, the
 * requests with its id, xs_transaction_end; on EAGAIN the whole thing again, the retry
 * loop of libxl__xs_transaction_commit). Requests inside are pipelined: the body queues
 * them without waiting for each reply, and the transaction ends once all have answered;
 * a failed one aborts it (TRANSACTION_END F) and the error is thrown.
 */
import type { XsClient } from './client';
import { XsError } from './errors';

/** The requests of one transaction attempt. */
export class XsTxn {
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    readonly client: XsClient,
    readonly id: number,
  ) {}

  /** Queues a request whose reply the body does not need (errors still abort the transaction). */
  queue(p: Promise<unknown>): void {
    this.pending.push(p);
  }

  write(path: string, value: string): void {
    this.queue(this.client.write(path, value, this.id));
  }

  setPerms(path: string, perms: string[]): void {
    this.queue(this.client.setPerms(path, perms, this.id));
  }

  /** RM that is fine when the node is already gone. */
  rmIfPresent(path: string): void {
    this.queue(this.client.rm(path, this.id).catch(ignoreENOENT));
  }

  read(path: string): Promise<string | undefined> {
    return this.client.read(path, this.id).catch(orUndefined);
  }

  directory(path: string): Promise<string[]> {
    return this.client.directory(path, this.id).catch((e: unknown) => (isENOENT(e) ? [] : Promise.reject(e)));
  }

  /** Waits for every queued request; the first failure is thrown. */
  async settle(): Promise<void> {
    const results = await Promise.allSettled(this.pending.splice(0));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }
}

function isENOENT(e: unknown): boolean {
  return e instanceof XsError && e.code === 'ENOENT';
}

function ignoreENOENT(e: unknown): void {
  if (!isENOENT(e)) throw e;
}

function orUndefined(e: unknown): undefined {
  if (!isENOENT(e)) throw e;
  return undefined;
}

/** Runs `body` in a transaction until it commits without EAGAIN. */
export async function inTransaction(client: XsClient, body: (t: XsTxn) => Promise<void> | void): Promise<void> {
  for (;;) {
    const t = new XsTxn(client, await client.transactionStart());
    try {
      await body(t);
      await t.settle();
    } catch (e) {
      await t.settle().catch(() => {});
      await client.transactionEnd(t.id, false).catch(() => {});
      throw e;
    }
    try {
      await client.transactionEnd(t.id, true);
      return;
    } catch (e) {
      if (e instanceof XsError && e.code === 'EAGAIN') continue;
      throw e;
    }
  }
}
