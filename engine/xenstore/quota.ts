/**
 * Xenstore quotas with C xenstored's defaults (tools/xenstored/domain.c quotas[]; 4.7 had
 * the same nodes/watches/entry-size/transactions values). They apply to unprivileged
 * domains only; 0 disables one. Exceeding nodes, node size, node permissions,
 * transactions or transaction nodes is ENOSPC; watches is E2BIG; memory is ENOMEM (as C
 * xenstored). The 2 MB soft memory limit (a log line in C xenstored) is not kept.
 */
export interface XsQuota {
  /** Nodes a domain may own. */
  nodes: number;
  /** Watches per connection. */
  watches: number;
  /**
   * Outstanding requests per connection: replies and watch events not yet taken by the
   * client; at the limit no more requests are read (connection.ts work()).
   */
  outstanding: number;
  /** Bytes of the nodes a domain owns (store.ts nodeBytes; hard limit, ENOMEM past it). */
  memory: number;
  /** Open transactions per connection. */
  transactions: number;
  /** Nodes one transaction may touch. */
  transactionNodes: number;
  /** Permission entries per node. */
  nodePerms: number;
  /** Length of a path, relative to the domain's own path. */
  pathMax: number;
  /** Bytes of a node's value. */
  nodeSize: number;
}

export const DEFAULT_QUOTA: Readonly<XsQuota> = Object.freeze({
  nodes: 1000,
  watches: 128,
  outstanding: 20,
  memory: 2.5 * 1024 * 1024,
  transactions: 10,
  transactionNodes: 1024,
  nodePerms: 5,
  pathMax: 2048,
  nodeSize: 2048,
});

/** True when `value` goes past quota `limit` (0 = unlimited). */
export function exceeds(limit: number, value: number): boolean {
  return limit > 0 && value > limit;
}
