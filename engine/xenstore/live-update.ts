/**
 * Live update (issue 6; Xen 4.16+ `xenstore-control live-update`, docs/designs/
 * xenstore-migration.md): the daemon is replaced by a new process while clients stay
 * connected. The state that crosses over: the database (in the message; a state
 * directory is adopted as it is, its journal being complete), the transaction id counter, and for each
 * connection its domid, watches, open transaction ids (which then end with EAGAIN) and
 * the bytes it had received but not handled. The sockets themselves are kept open by the
 * supervisor (supervisor.ts) and handed to the new worker.
 */
import type { ConnectionState } from './connection';
import type { Snapshot } from './persist';

export interface LiveState {
  /** The database. */
  snapshot?: Snapshot;
  nextTx: number;
  /** Time the old worker took to dump its state (for the log). */
  dumpMs?: number;
  conns: { id: number; state: ConnectionState }[];
}

export interface WorkerInit {
  t: 'init';
  stateDir?: string;
  fsync: 'always' | 'batch' | 'never';
  live?: LiveState;
}

/** Supervisor → worker. */
export type ToWorker = WorkerInit | { t: 'conn'; id: number } | { t: 'live-update' } | { t: 'shutdown' };

/** Worker → supervisor. */
export type FromWorker =
  | { t: 'hello' }
  | { t: 'ready'; nodes: number; loadMs: number }
  | { t: 'closed'; id: number }
  | { t: 'live-update' }
  | { t: 'state'; live: LiveState }
  | { t: 'log'; line: string }
  | { t: 'error'; message: string };
