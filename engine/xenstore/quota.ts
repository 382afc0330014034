/**
 * Xenstore quotas with C xenstored's defaults, each checked against Xen 4.17's
 * tools/xenstore/xenstored_core.c (the quota_* variables, lines 105-114 at RELEASE-4.17.0;
 * later Xen moved them to tools/xenstored/domain.c quotas[] with the same values):
 * quota_nb_entry_per_domain 1000, quota_nb_watch_per_domain 128, quota_max_entry_size
 * 2048, quota_max_transaction 10, quota_nb_perms_per_node 5, quota_trans_nodes 1024,
 * quota_max_path_len XENSTORE_REL_PATH_MAX (2048, xs_wire.h), quota_req_outstanding 20,
 * quota_memory_per_domain_hard 2.5 MB. They apply to unprivileged domains only; 0
 * disables one. Exceeding nodes, node size, node permissions, transactions or
 * transaction nodes is ENOSPC; watches is E2BIG; memory is ENOMEM (as C xenstored). The
 * 2 MB soft memory limit (a log line in C xenstored) is not kept.
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
  /** Bytes of a node's whole record: header, permissions, value, child names (store.ts recordSize). */
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
