/**
 * Watches (docs/misc/xenstore.txt WATCH / UNWATCH / WATCH_EVENT / RESET_WATCHES). A
 * change at <path> fires every watch whose <wpath> is a parent of it (or equal), with
 * <epath> = <path>; the recursive removal of a parent of <wpath> fires it with <epath> =
 * <wpath>. A relative <wpath> gets relative <epath>s. Special watches @introduceDomain
 * and @releaseDomain fire on INTRODUCE and on RELEASE / domain death, matched exactly
 * (4.17's fire_watches() with exact set), so a watch on @releaseDomain/<domid> is accepted
 * but never fires, and the event names no domain: the watch depth and per-domain special
 * events xenstore.txt describes came after 4.17 (whose do_watch() takes no depth). A new
 * watch fires once straight away (the caller does that, after its OK reply). Delivery needs read access to the changed node, or
 * privilege, or read access to the special path's permissions.
 */
import { XsError } from './errors';
import type { Perm } from './perms';
import { isChild } from './path';

export const SPECIAL_INTRODUCE = '@introduceDomain';
export const SPECIAL_RELEASE = '@releaseDomain';

/** The side of a connection that receives events. */
export interface WatchOwner {
  readonly domid: number;
  /** Whether this owner may see a change to a node with these permissions. */
  mayRead(perms: readonly Perm[]): boolean;
  deliver(epath: string, token: string): void;
}

export interface Watch {
  readonly owner: WatchOwner;
  /** As registered (possibly relative). */
  readonly path: string;
  /** Absolute (or @special). */
  readonly abs: string;
  readonly token: string;
  /** Prefix stripped from event paths of a relative watch ('/local/domain/N/'). */
  readonly relativeBase?: string;
}

export class WatchTable {
  private readonly byOwner = new Map<WatchOwner, Watch[]>();

  count(owner: WatchOwner): number {
    return this.byOwner.get(owner)?.length ?? 0;
  }

  get total(): number {
    let n = 0;
    for (const l of this.byOwner.values()) n += l.length;
    return n;
  }

  add(w: Watch): void {
    const list = this.byOwner.get(w.owner) ?? [];
    if (list.some((x) => x.abs === w.abs && x.token === w.token)) throw new XsError('EEXIST', `watch ${w.path}`);
    list.push(w);
    this.byOwner.set(w.owner, list);
  }

  /** Removes the watch with this absolute path and token. */
  remove(owner: WatchOwner, abs: string, token: string): void {
    const list = this.byOwner.get(owner);
    const i = list?.findIndex((x) => x.abs === abs && x.token === token) ?? -1;
    if (list === undefined || i < 0) throw new XsError('ENOENT', `watch ${abs}`);
    list.splice(i, 1);
  }

  removeAll(owner: WatchOwner): void {
    this.byOwner.delete(owner);
  }

  list(owner?: WatchOwner): Watch[] {
    if (owner !== undefined) return [...(this.byOwner.get(owner) ?? [])];
    return [...this.byOwner.values()].flat();
  }

  /** Fires the watches matching a change at absolute `path`. */
  fire(path: string, recursive: boolean, perms: readonly Perm[]): void {
    for (const list of this.byOwner.values()) {
      for (const w of list) {
        if (w.abs.startsWith('@')) continue;
        let epath: string | undefined;
        if (isChild(path, w.abs)) epath = path;
        else if (recursive && isChild(w.abs, path)) {
          epath = w.abs;
        }
        if (epath === undefined || !w.owner.mayRead(perms)) continue;
        w.owner.deliver(relativize(w, epath), w.token);
      }
    }
  }

  /** Fires @introduceDomain / @releaseDomain; `perms` guard unprivileged owners. */
  fireSpecial(name: string, perms: readonly Perm[]): void {
    for (const list of this.byOwner.values()) {
      for (const w of list) {
        if (w.abs !== name || !w.owner.mayRead(perms)) continue;
        w.owner.deliver(name, w.token);
      }
    }
  }
}

function relativize(w: Watch, epath: string): string {
  if (w.relativeBase === undefined) return epath;
  const base = w.relativeBase;
  if (epath.startsWith(base)) return epath.slice(base.length);
  return epath;
}
