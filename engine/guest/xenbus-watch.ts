/**
 * Waiting on a xenstore node the way Linux's xenbus drivers do: register a watch, and on
 * every event (the first comes at once, as xenstored fires a new watch) read the node
 * again and test it. One dispatcher per connection routes events by token.
 */
import type { XsClient } from '../xenstore/client';

export class XenbusWatches {
  private readonly handlers = new Map<string, (path: string) => void>();
  private next = 0;

  constructor(private readonly xs: XsClient) {
    xs.onWatch((path, token) => this.handlers.get(token)?.(path));
  }

  /** Calls `fn` on every change under `path` until the returned stop() (unwatch). */
  async watch(path: string, fn: (eventPath: string) => void): Promise<() => Promise<void>> {
    const token = `xd${this.next++}`;
    this.handlers.set(token, fn);
    await this.xs.watch(path, token);
    return async () => {
      this.handlers.delete(token);
      await this.xs.unwatch(path, token).catch(() => undefined);
    };
  }

  /** Resolves with the node's value once `ok(value)` holds (xenbus_wait_for_state-like). */
  async until(path: string, ok: (value: string | undefined) => boolean): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      let done = false;
      let stop: (() => Promise<void>) | undefined;
      const check = (): void => {
        if (done) return;
        this.xs
          .read(path)
          .then(
            (v) => v,
            () => undefined,
          )
          .then((v) => {
            if (done || !ok(v)) return;
            done = true;
            void stop?.();
            resolve(v);
          }, reject);
      };
      this.watch(path, check).then((s) => {
        stop = s;
        if (done) void s();
      }, reject);
    });
  }
}

/** Reads a node, or undefined when it is absent or unreadable. */
export async function readOr(xs: XsClient, path: string): Promise<string | undefined> {
  try {
    return await xs.read(path);
  } catch {
    return undefined;
  }
}

/** Lists a directory, or [] when it is absent. */
export async function listOr(xs: XsClient, path: string): Promise<string[]> {
  try {
    return await xs.directory(path);
  } catch {
    return [];
  }
}
