/**
 * Xen's own tools as Domain-0's shell finds them on a Xen host (xen-utils: /usr/sbin/xl,
 * /usr/sbin/xentop): they talk to the hypervisor and the toolstack of the host this dom0
 * runs on. The guest model does not reach the toolstack itself (engine/guest stays
 * below it); the host wiring hands dom0 a runner (GuestPlatform.dom0Tools) that runs
 * XenDeck's own `xl` and `xentop` in process against that host, so what they change is
 * what the console shows. Their standard output and error go to dom0's tty; ^C aborts
 * `signal` (a tool that waits — `xl shutdown -w` — stops waiting).
 */
export type Dom0ToolName = 'xl' | 'xentop';

export const DOM0_TOOLS: readonly Dom0ToolName[] = ['xl', 'xentop'];

export interface Dom0ToolIo {
  out(text: string): void;
  err(text: string): void;
  /** Aborted by ^C on the tty. */
  signal: AbortSignal;
}

export interface Dom0Tools {
  /** Runs `tool args...` as root in dom0 (working directory /root); resolves to its exit status. */
  run(tool: Dom0ToolName, args: string[], io: Dom0ToolIo): Promise<number>;
}
