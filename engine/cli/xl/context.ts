/**
 * What a command of `xl` runs with: the io, xl's global options, its own table entry and
 * the host. The host is the lab's embedded one, opened lazily (a command that fails on
 * its arguments never boots or locks the lab); `record` appends a successful mutating
 * operation to the lab journal so the next run sees it; `release` lets go of the lab
 * while a command waits for what other runs do.
 */
import type { DomainRef, ToolstackHost } from '../../toolstack/host-api';
import type { KeptConfig } from '../../toolstack/embedded-host';
import type { Physinfo } from '../../hypervisor/xen';
import type { XlCmdSpec } from './cmd-table';
import type { CliIo } from './io';
import type { JournalEntry } from './journal';

/** Global options (tools/xl/xl.c main: getopt "+vftTN") plus XenDeck's --lab. */
export interface XlGlobals {
  /** -v, repeatable: lowers the minimum log level. */
  verbose: number;
  /** -N: dry run, for commands with can_dryrun. */
  dryRun: boolean;
  /** -f: force. */
  force: boolean;
  /** -t: progress with CR (accepted, nothing to show progress of). */
  progressCr: boolean;
  /** -T: timestamps on log lines. */
  timestamps: boolean;
  labDir: string;
  /** --lab given or $XENDECK_LAB set: run the lab even when a XenDeck is running. */
  labChosen: boolean;
  /** --socket PATH: the running XenDeck to use (else main/serve/local-socket.ts defaultSocketPath()). */
  socketPath: string | undefined;
  /** --host ID: which host of the running XenDeck (else 'lab1'). */
  hostId: string | undefined;
}

/** The toolstack façade plus what an embedded host can also tell and do for `xl`. */
export interface XlHost extends ToolstackHost {
  /** The config a domain was created from (absent for Domain-0). */
  keptConfig(ref: DomainRef): Promise<Readonly<KeptConfig> | undefined>;
  physinfo(): Promise<Physinfo>;
  setVcpuAffinity(ref: DomainRef, vcpu: number | 'all', hard: number[] | null, soft: number[] | null): Promise<void>;
  setMaxMemory(ref: DomainRef, maxKiB: number): Promise<void>;
  /**
   * `xl console`: the domain's console output (history, then live) and a way to type into
   * it. Only a running XenDeck has one (its clock runs and xenconsoled's role is played by
   * its console service); a lab leaves it out.
   */
  attachConsole?(domid: number, onOutput: (text: string) => void, onEnd: (why?: string) => void): { input(data: string): Promise<void>; detach(): void };
}

export interface XlContext {
  io: CliIo;
  globals: XlGlobals;
  spec: XlCmdSpec;
  cwd: string;
  host(): Promise<XlHost>;
  /** Journal a successful mutating operation; the entry's index. */
  record(e: JournalEntry): Promise<number>;
  /**
   * Close the lab and give up its lock (before waiting on other xl runs); a later
   * host() opens it again, read-only, with whatever has been journalled since.
   */
  release(): Promise<void>;
  /** The lab's host as it was after its first `entries` journal entries (read-only). */
  hostAsOf(entries: number): Promise<XlHost>;
  /**
   * Where the host lives: a lab folder (journalled), a running XenDeck over its socket,
   * or the host whose Domain-0 shell runs this xl in process (../dom0-tools.ts).
   */
  where(): 'lab' | 'socket' | 'dom0' | undefined;
  /** The file a path on the command line names (relative to cwd; in Domain 0, in its filesystem: the lab folder). */
  file(path: string): string;
  /** Aborted when the run is interrupted (^C on Domain-0's tty): a wait stops. */
  signal?: AbortSignal;
  out(s: string): void;
  err(s: string): void;
}

/** A command body: its arguments after the command name, its exit status. */
export type XlCommand = (ctx: XlContext, args: string[]) => Promise<number>;
