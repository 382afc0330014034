/**
 * The renderer's one typed api client: `request(method, params)` and
 * `subscribe(topic, params, onItems)`, typed by main/api/contract.ts, over either link.
 * Batches are acknowledged after the handler ran, which is what paces the server; a
 * handler that returns a promise (a terminal's write watermark) holds the ack until it
 * settles.
 */
import type { MethodName, Params, ReceivedItem, Result, TopicName, TopicParams } from '../../../main/api/contract';
import { ApiCallError } from '../../../main/api/api-call-error';
import type { ServerMessage } from '../../../main/api/envelope';
import type { Link, LinkState } from './link';

/** A failed request from this window (the one error class every api client throws). */
export class ApiRequestError extends ApiCallError {
  override readonly name: string = 'ApiRequestError';
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

interface Sub {
  topic: string;
  params: unknown;
  onItems(items: unknown[], dropped: number): unknown;
  onEnd?: (e: ApiRequestError) => void;
}

export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new Map<number, Sub>();
  private readonly stateCbs = new Set<(s: LinkState) => void>();

  constructor(private readonly link: Link) {
    link.onMessage((m) => this.dispatch(m));
    let wasOpen = link.state === 'open';
    link.onState((s) => {
      if (s === 'open' && !wasOpen) this.resubscribe();
      if (s === 'closed') this.failPending();
      wasOpen = s === 'open';
      for (const cb of this.stateCbs) cb(s);
    });
  }

  get state(): LinkState {
    return this.link.state;
  }

  onState(cb: (s: LinkState) => void): () => void {
    this.stateCbs.add(cb);
    return () => this.stateCbs.delete(cb);
  }

  request<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const id = this.nextId++;
    return new Promise<Result<M>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.link.send({ t: 'req', id, method, params });
    });
  }

  subscribe<T extends TopicName>(topic: T, params: TopicParams<T>, onItems: (items: ReceivedItem<T>[], dropped: number) => unknown, onEnd?: (e: ApiRequestError) => void): () => void {
    const id = this.nextId++;
    this.subs.set(id, { topic, params, onItems: onItems as Sub['onItems'], ...(onEnd ? { onEnd } : {}) });
    this.link.send({ t: 'sub', id, topic, params });
    return () => {
      if (this.subs.delete(id)) this.link.send({ t: 'unsub', id });
    };
  }

  private dispatch(m: ServerMessage): void {
    switch (m.t) {
      case 'res': {
        const p = this.pending.get(m.id);
        if (!p) return; // a subscription's confirmation
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new ApiRequestError(m.error));
        return;
      }
      case 'batch': {
        const s = this.subs.get(m.id);
        if (!s) return;
        const ack = (): void => this.link.send({ t: 'ack', id: m.id, seq: m.seq });
        let held: unknown = undefined;
        try {
          held = s.onItems(m.items, m.dropped ?? 0);
        } finally {
          if (!(held instanceof Promise)) ack();
        }
        if (held instanceof Promise) held.then(ack, ack);
        return;
      }
      case 'end': {
        const s = this.subs.get(m.id);
        this.subs.delete(m.id);
        if (s && m.error) s.onEnd?.(new ApiRequestError(m.error));
        return;
      }
    }
  }

  private resubscribe(): void {
    for (const [id, s] of this.subs) this.link.send({ t: 'sub', id, topic: s.topic, params: s.params });
  }

  private failPending(): void {
    for (const p of this.pending.values()) p.reject(new ApiRequestError({ code: 'ECONNRESET', message: 'connection to the XenDeck services lost' }));
    this.pending.clear();
  }
}
