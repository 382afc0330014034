/** A small harness for guest tests: an embedded host, one domain, its console as text. */
import { SECONDS } from '../../../engine/hypervisor/clock';
import type { ConsoleStream } from '../../../engine/toolstack/console-stream';
import { EmbeddedHost, type EmbeddedHostOptions } from '../../../engine/toolstack/embedded-host';

export interface GuestRig {
  host: EmbeddedHost;
  domid: number;
  console: ConsoleStream;
  /** Everything the console printed so far. */
  text(): string;
  /** Text printed since the last call of take(). */
  take(): string;
  type(s: string): void;
  run(seconds: number): void;
  /** Boot to the login prompt and log in as root. */
  login(): Promise<void>;
}

export async function rig(cfg: string, opts: { paused?: boolean; host?: Omit<EmbeddedHostOptions, 'id'> } = {}): Promise<GuestRig> {
  const host = new EmbeddedHost({ id: 'lab1', ...opts.host });
  const r = await host.createDomain({ configText: cfg, ...(opts.paused ? { paused: true } : {}) });
  // the toolstack's xenstore writes (the domain's layout) go out asynchronously
  await host.xenstore.settled();
  const console = await host.console(r.domid!);
  const dec = new TextDecoder();
  let all = '';
  let mark = 0;
  console.onData((d) => {
    all += dec.decode(d, { stream: true });
  });
  const g: GuestRig = {
    host,
    domid: r.domid!,
    console,
    text: () => all,
    take: () => {
      const t = all.slice(mark);
      mark = all.length;
      return t;
    },
    type: (s) => console.write(s),
    run: (s) => host.advanceClock(SECONDS(s)),
    async login() {
      g.run(5);
      g.type('root\r');
      g.take();
    },
  };
  return g;
}

export const PV = 'name = "web1"\ntype = "pv"\nkernel = "/boot/vmlinuz"\nmemory = 512\nvcpus = 2\n';
export const PVH = 'name = "web2"\ntype = "pvh"\nkernel = "/boot/vmlinuz"\nmemory = 256\nvcpus = 1\n';
export const HVM = 'name = "win1"\ntype = "hvm"\nmemory = 1024\nvcpus = 4\n';

/** A xenstore node's value as the toolstack reads it, undefined when absent. */
export async function xsNode(g: GuestRig, path: string): Promise<string | undefined> {
  const parent = path.slice(0, path.lastIndexOf('/'));
  return (await g.host.xenstoreList(parent)).children.find((c) => c.path === path)?.value;
}
