// A real Xen host managed over SSH, with libxl-like operations returning plain typed
// objects: the same questions XenDeck asks its embedded engine, answered by running
// Xen's own tools on dom0 (xl, xenstore-*, xen-livepatch) and reading what they print.
// Queries may be sent again after a dropped connection; operations that change the
// host are sent once (see connection.ts). Every xl failure becomes an XlCommandError
// whose `failure.kind` says what went wrong.
import { randomBytes } from 'node:crypto';
import { RemoteConsole } from './console-stream';
import { RemoteConnection, type BackoffPolicy, type ConnectionState } from './connection';
import { DomainWatch, type DomainSnapshot, type DomainWatchOptions } from './domain-watch';
import { BadArgumentError, CommandFailedError, NotSupportedError, ParseError, ToolMissingError, XlCommandError } from './errors';
import { parseLivepatchList } from './parse/xen-livepatch-list';
import { parseXenstoreLs, type XenstoreNode } from './parse/xenstore-ls';
import { parseXlCpupoolList } from './parse/xl-cpupool-list';
import { parseXlInfo } from './parse/xl-info';
import { parseXlList } from './parse/xl-list';
import { parseXlListLong } from './parse/xl-list-long';
import { parseXlSched, type SchedName } from './parse/xl-sched';
import { classifyXlFailure } from './parse/xl-stderr';
import { parseXlVcpuList } from './parse/xl-vcpu-list';
import { SshTransport, type SshTarget } from './ssh-transport';
import { commandLine, type ExecResult, type PtySize, type RemoteTransport } from './transport';
import type {
  DomainSchedParams,
  LivepatchPayload,
  PoolSchedParams,
  RemoteCpupool,
  RemoteDomain,
  RemoteDomainConfig,
  RemotePhysinfo,
  RemoteVcpu,
} from './types';

/** A domain by domid or by name, as xl takes it. */
export type DomainRef = number | string;

/** The Xen tools found on dom0's PATH. */
export interface RemoteCapabilities {
  xl: boolean;
  xenstoreRead: boolean;
  xenstoreLs: boolean;
  xenstoreWatch: boolean;
  xenLivepatch: boolean;
}

export interface RemoteHostOptions {
  /** Opens the transport; defaults to SSH with `ssh`. */
  connect?: () => Promise<RemoteTransport>;
  ssh?: SshTarget;
  /** Run the tools through `sudo -n` (for a non-root login with passwordless sudo). */
  sudo?: boolean;
  backoff?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
  onConnectionState?: (state: ConnectionState, detail?: string) => void;
}

const TOOLS: [keyof RemoteCapabilities, string][] = [
  ['xl', 'xl'],
  ['xenstoreRead', 'xenstore-read'],
  ['xenstoreLs', 'xenstore-ls'],
  ['xenstoreWatch', 'xenstore-watch'],
  ['xenLivepatch', 'xen-livepatch'],
];

const SCHEDULERS: readonly SchedName[] = ['credit', 'credit2', 'rtds'];

function checkRef(dom: DomainRef): string {
  if (typeof dom === 'number') {
    if (!Number.isInteger(dom) || dom < 0 || dom > 0x7fef) throw new BadArgumentError(`domid ${dom} is out of range (0-32751)`);
    return String(dom);
  }
  if (dom === '' || /[\0\n]/.test(dom) || dom.startsWith('-')) throw new BadArgumentError(`bad domain name ${JSON.stringify(dom)}`);
  return dom;
}

/** A cpupool name as xl takes it on its command line and in name="...". */
function checkPoolName(name: string): string {
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new BadArgumentError(`bad cpupool name ${JSON.stringify(name)}`);
  return name;
}

function cpuList(cpus: readonly number[]): string {
  if (cpus.length === 0 || cpus.some((c) => !Number.isInteger(c) || c < 0 || c > 4095)) throw new BadArgumentError(`bad pCPU list ${JSON.stringify(cpus)}`);
  return cpus.join(',');
}

/** The name = "..." (or '...') of an xl.cfg text, which xl requires. */
export function configName(configText: string): string | undefined {
  const m = /^\s*name\s*=\s*(?:"([^"\n]*)"|'([^'\n]*)')\s*(?:#.*)?$/m.exec(configText);
  return m ? (m[1] ?? m[2]) : undefined;
}

export class RemoteXenHost {
  private constructor(
    private readonly conn: RemoteConnection,
    readonly capabilities: RemoteCapabilities,
    private readonly sudo: boolean,
  ) {}

  static async connect(opts: RemoteHostOptions): Promise<RemoteXenHost> {
    const ssh = opts.ssh;
    const connect = opts.connect ?? (ssh !== undefined ? () => SshTransport.connect(ssh) : undefined);
    if (connect === undefined) throw new BadArgumentError('RemoteXenHost.connect needs ssh settings or a connect function');
    const target = ssh !== undefined ? `${ssh.username}@${ssh.host}:${ssh.port ?? 22}` : 'remote host';
    const conn = new RemoteConnection({ connect, target, backoff: opts.backoff, sleep: opts.sleep, onState: opts.onConnectionState });
    await conn.open();
    try {
      const probe = await conn.run(
        `for t in ${TOOLS.map(([, t]) => t).join(' ')}; do if command -v "$t" >/dev/null 2>&1; then echo "$t yes"; else echo "$t no"; fi; done`,
        { idempotent: true },
      );
      const found = new Set(probe.stdout.split('\n').filter((l) => l.endsWith(' yes')).map((l) => l.slice(0, -4)));
      const caps = Object.fromEntries(TOOLS.map(([k, t]) => [k, found.has(t)])) as unknown as RemoteCapabilities;
      if (!caps.xl) throw new ToolMissingError(conn.target, 'xl');
      return new RemoteXenHost(conn, caps, opts.sudo ?? false);
    } catch (e) {
      await conn.close();
      throw e;
    }
  }

  get target(): string {
    return this.conn.target;
  }

  // ---- queries (idempotent) ----

  /** `xl info` (with `-n`, the CPU topology and NUMA tables). */
  async physinfo(opts: { numa?: boolean } = {}): Promise<RemotePhysinfo> {
    return parseXlInfo(await this.xl(opts.numa ? ['info', '-n'] : ['info'], true));
  }

  /** `xl list -v` and `xl list -c` in one round trip: state, uuid and cpupool of every domain. */
  async domainList(): Promise<RemoteDomain[]> {
    const marker = '@@xendeck-cpupools@@';
    const out = await this.run(`${this.tool(['xl', 'list', '-v'])} && echo ${marker} && ${this.tool(['xl', 'list', '-c'])}`, 'xl list', true);
    const [verbose, pools] = out.split(`${marker}\n`);
    if (verbose === undefined || pools === undefined) throw new ParseError('xl list', 'the two listings did not both arrive');
    const poolOf = new Map(parseXlList(pools).map((d) => [d.domid, d.cpupool]));
    return parseXlList(verbose).map((d) => {
      const pool = poolOf.get(d.domid);
      return pool !== undefined ? { ...d, cpupool: pool } : d;
    });
  }

  /** One domain, by domid or name. */
  async domainInfo(dom: DomainRef): Promise<RemoteDomain> {
    const [d] = parseXlList(await this.xl(['list', '-v', checkRef(dom)], true));
    if (d === undefined) throw new ParseError('xl list', `no row for ${dom}`);
    return d;
  }

  /** `xl list -l`: the libxl domain configs (of one domain, or all). */
  async domainConfig(dom?: DomainRef): Promise<RemoteDomainConfig[]> {
    return parseXlListLong(await this.xl(dom === undefined ? ['list', '-l'] : ['list', '-l', checkRef(dom)], true));
  }

  async vcpuList(dom?: DomainRef): Promise<RemoteVcpu[]> {
    return parseXlVcpuList(await this.xl(dom === undefined ? ['vcpu-list'] : ['vcpu-list', checkRef(dom)], true));
  }

  async cpupoolList(): Promise<RemoteCpupool[]> {
    const marker = '@@xendeck-cpus@@';
    const out = await this.run(`${this.tool(['xl', 'cpupool-list'])} && echo ${marker} && ${this.tool(['xl', 'cpupool-list', '-c'])}`, 'xl cpupool-list', true);
    const [plain, cpus] = out.split(`${marker}\n`);
    if (plain === undefined || cpus === undefined) throw new ParseError('xl cpupool-list', 'the two listings did not both arrive');
    return parseXlCpupoolList(plain, cpus);
  }

  /**
   * `xl sched-<scheduler>` for every scheduler some pool runs (or the one named): pool
   * parameters and the domains' weights, caps, periods and budgets.
   */
  async schedParams(sched?: SchedName): Promise<PoolSchedParams[]> {
    const scheds = sched !== undefined ? [sched] : [...new Set((await this.cpupoolList()).map((p) => p.sched))];
    const out: PoolSchedParams[] = [];
    for (const s of scheds) {
      if (!(SCHEDULERS as readonly string[]).includes(s)) continue; // null, arinc653: xl has no sched-* for them
      const args = s === 'rtds' ? ['sched-rtds', '-v', 'all'] : [`sched-${s}`];
      out.push(...parseXlSched(await this.xl(args, true), s as SchedName));
    }
    return out;
  }

  /** The scheduler parameters of one domain, asked of the scheduler of its pool. */
  async domainSchedParams(dom: DomainRef): Promise<{ sched: SchedName; params: DomainSchedParams[] }> {
    const sched = await this.schedulerOf(dom);
    const args = sched === 'rtds' ? ['sched-rtds', '-d', checkRef(dom), '-v', 'all'] : [`sched-${sched}`, '-d', checkRef(dom)];
    return { sched, params: parseXlSched(await this.xl(args, true), sched).flatMap((b) => b.domains) };
  }

  /** `xl dmesg`: the hypervisor console ring. */
  async dmesg(): Promise<string> {
    return this.xl(['dmesg'], true);
  }

  async xenstoreRead(path: string): Promise<string> {
    this.need('xenstoreRead', 'xenstore-read');
    const r = await this.exec(['xenstore-read', checkPath(path)], true);
    if (r.exitCode !== 0) throw new CommandFailedError(`xenstore-read ${path}`, r.exitCode, r.stderr, r.signal);
    return r.stdout.replace(/\n$/, '');
  }

  async xenstoreLs(path: string): Promise<XenstoreNode[]> {
    this.need('xenstoreLs', 'xenstore-ls');
    const r = await this.exec(['xenstore-ls', checkPath(path)], true);
    if (r.exitCode !== 0) throw new CommandFailedError(`xenstore-ls ${path}`, r.exitCode, r.stderr, r.signal);
    return parseXenstoreLs(r.stdout, path);
  }

  async livepatchList(): Promise<LivepatchPayload[]> {
    this.need('xenLivepatch', 'xen-livepatch');
    const r = await this.exec(['xen-livepatch', 'list'], true);
    if (r.exitCode !== 0) {
      // A hypervisor built without CONFIG_LIVEPATCH answers the sysctl with ENOSYS.
      if (/Function not implemented|ENOSYS/.test(r.stderr)) throw new NotSupportedError(`the hypervisor of ${this.target} is built without live patching (CONFIG_LIVEPATCH)`);
      throw new CommandFailedError('xen-livepatch list', r.exitCode, r.stderr, r.signal);
    }
    return parseLivepatchList(r.stdout);
  }

  // ---- operations (sent once) ----

  /**
   * Creates a domain from xl.cfg text: written to a private file in dom0's /tmp, `xl
   * create`d, then removed. Errors name the config as `source`, not the temporary file.
   */
  async create(configText: string, opts: { paused?: boolean; source?: string } = {}): Promise<RemoteDomain> {
    if (configText.trim() === '') throw new BadArgumentError('the domain config is empty');
    const name = configName(configText);
    if (name === undefined) throw new BadArgumentError('the domain config has no name = "..." line; xl needs one');
    const file = `/tmp/xendeck-${randomBytes(6).toString('hex')}.cfg`;
    const create = this.tool(['xl', 'create', ...(opts.paused ? ['-p'] : []), file]);
    // umask 077: the config may hold secrets (vnc passwords); set -C: never clobber.
    const script = `umask 077; set -C; cat > ${file} || exit 125; ${create}; rc=$?; rm -f ${file}; exit $rc`;
    const r = await this.conn.run(script, { idempotent: false, stdin: configText });
    const source = opts.source ?? 'config';
    if (r.exitCode !== 0) {
      this.toolMissing(r);
      const stderr = r.stderr.split(file).join(source);
      throw new XlCommandError(`xl create ${source}`, r.exitCode, stderr, classifyXlFailure(stderr), r.signal);
    }
    return this.domainInfo(name);
  }

  async destroy(dom: DomainRef): Promise<void> {
    return this.xlOp(['destroy', checkRef(dom)]);
  }

  /** Pauses are counted by Xen: n pauses need n unpauses (test/fixtures/realxen/xl-unpause). */
  async pause(dom: DomainRef): Promise<void> {
    return this.xlOp(['pause', checkRef(dom)]);
  }

  async unpause(dom: DomainRef): Promise<void> {
    return this.xlOp(['unpause', checkRef(dom)]);
  }

  /** Asks the guest to shut down (PV control/shutdown); with wait, until it has. */
  async shutdown(dom: DomainRef, opts: { wait?: boolean } = {}): Promise<void> {
    return this.xlOp(['shutdown', ...(opts.wait ? ['-w'] : []), checkRef(dom)]);
  }

  async reboot(dom: DomainRef, opts: { wait?: boolean } = {}): Promise<void> {
    return this.xlOp(['reboot', ...(opts.wait ? ['-w'] : []), checkRef(dom)]);
  }

  // ---- CPU pools (xl cpupool-*; tools/xl/xl_cpupool.c) ----

  /** `xl cpupool-create name="N" sched="S" cpus="1,2"`: the pCPUs must be free. */
  async cpupoolCreate(name: string, sched: string, cpus: readonly number[]): Promise<void> {
    const pool = checkPoolName(name);
    if (!/^(credit|credit2|rtds|null)$/.test(sched)) throw new BadArgumentError(`unknown scheduler ${JSON.stringify(sched)}`);
    return this.xlOp(['cpupool-create', `name="${pool}"`, `sched="${sched}"`, ...(cpus.length ? [`cpus="${cpuList(cpus)}"`] : [])]);
  }

  async cpupoolDestroy(name: string): Promise<void> {
    return this.xlOp(['cpupool-destroy', checkPoolName(name)]);
  }

  async cpupoolCpuAdd(name: string, cpus: readonly number[]): Promise<void> {
    return this.xlOp(['cpupool-cpu-add', checkPoolName(name), cpuList(cpus)]);
  }

  async cpupoolCpuRemove(name: string, cpus: readonly number[]): Promise<void> {
    return this.xlOp(['cpupool-cpu-remove', checkPoolName(name), cpuList(cpus)]);
  }

  async cpupoolRename(name: string, newName: string): Promise<void> {
    return this.xlOp(['cpupool-rename', checkPoolName(name), checkPoolName(newName)]);
  }

  async cpupoolMigrate(dom: DomainRef, pool: string): Promise<void> {
    return this.xlOp(['cpupool-migrate', checkRef(dom), checkPoolName(pool)]);
  }

  /** Sets credit/credit2 weight and cap (the scheduler of the domain's pool). */
  async setDomainSchedParams(dom: DomainRef, p: { weight?: number; cap?: number }): Promise<void> {
    const sched = await this.schedulerOf(dom);
    if (sched === 'rtds') throw new NotSupportedError(`${dom} runs under RTDS, which has period and budget, not weight and cap`);
    if (p.weight === undefined && p.cap === undefined) throw new BadArgumentError('nothing to set: give a weight or a cap');
    const args = [`sched-${sched}`, '-d', checkRef(dom)];
    if (p.weight !== undefined) args.push('-w', String(p.weight));
    if (p.cap !== undefined) args.push('-c', String(p.cap));
    await this.xlOp(args);
  }

  /** `xl rename DOMAIN NEW-NAME`. */
  async rename(dom: DomainRef, newName: string): Promise<void> {
    if (!/^[A-Za-z0-9_.-]+$/.test(newName)) throw new BadArgumentError(`not a domain name: ${JSON.stringify(newName)}`);
    return this.xlOp(['rename', checkRef(dom), newName]);
  }

  /** `xl mem-set DOMAIN <KiB>k`: the balloon target. */
  async memSet(dom: DomainRef, targetKiB: number): Promise<void> {
    if (!Number.isInteger(targetKiB) || targetKiB < 0) throw new BadArgumentError(`not a memory size: ${targetKiB} KiB`);
    return this.xlOp(['mem-set', checkRef(dom), `${targetKiB}k`]);
  }

  /** `xl vcpu-set DOMAIN N`. */
  async vcpuSet(dom: DomainRef, count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new BadArgumentError(`not a vCPU count: ${count}`);
    return this.xlOp(['vcpu-set', checkRef(dom), String(count)]);
  }

  /** `xl sched-rtds -d DOMAIN -v N -p P -b B -e E ...` for the given vCPUs. */
  async setVcpuRtds(dom: DomainRef, vcpus: readonly { vcpu: number; period: number; budget: number; extratime: boolean }[]): Promise<void> {
    const args = ['sched-rtds', '-d', checkRef(dom)];
    for (const v of vcpus) {
      if (![v.vcpu, v.period, v.budget].every((n) => Number.isInteger(n) && n >= 0)) throw new BadArgumentError(`bad RTDS parameters for vCPU ${v.vcpu}`);
      args.push('-v', String(v.vcpu), '-p', String(v.period), '-b', String(v.budget), '-e', v.extratime ? '1' : '0');
    }
    await this.xlOp(args);
  }

  /** The guest console through a remote pty (`xl console`). */
  async console(dom: DomainRef, size: PtySize = { cols: 80, rows: 25 }): Promise<RemoteConsole> {
    checkRef(dom);
    const domid = typeof dom === 'number' ? dom : (await this.domainInfo(dom)).domid;
    const pty = await this.conn.openPty(this.tool(['xl', 'console', String(domid)]), size);
    return new RemoteConsole(domid, pty);
  }

  /** Follows the domains: xenstore-watch where the host has it, a poll always. */
  async watchDomains(listener: (s: DomainSnapshot) => void, opts: DomainWatchOptions = {}): Promise<DomainWatch> {
    const w = new DomainWatch(
      {
        domainList: () => this.domainList(),
        openWatch: (command) => (this.capabilities.xenstoreWatch ? this.conn.openLineStream(this.sudo ? `sudo -n ${command}` : command) : null),
      },
      listener,
      opts,
    );
    await w.start();
    return w;
  }

  close(): Promise<void> {
    return this.conn.close();
  }

  // ---- helpers ----

  private async schedulerOf(dom: DomainRef): Promise<SchedName> {
    const d = await this.domainList().then((l) => l.find((x) => (typeof dom === 'number' ? x.domid === dom : x.name === dom)));
    if (d === undefined) {
      // let xl say it, in its words
      await this.xl(['domid', checkRef(dom)], true);
      throw new ParseError('xl list', `${dom} not listed`);
    }
    const pool = (await this.cpupoolList()).find((p) => p.name === d.cpupool);
    if (pool === undefined) throw new ParseError('xl cpupool-list', `pool ${d.cpupool ?? '?'} of ${dom} not listed`);
    if (!(SCHEDULERS as readonly string[]).includes(pool.sched)) throw new NotSupportedError(`pool ${pool.name} runs the ${pool.sched} scheduler, which has no parameters xl can show`);
    return pool.sched as SchedName;
  }

  private need(cap: keyof RemoteCapabilities, tool: string): void {
    if (!this.capabilities[cap]) throw new ToolMissingError(this.target, tool);
  }

  private tool(words: readonly string[]): string {
    return `${this.sudo ? 'sudo -n ' : ''}${commandLine(words)}`;
  }

  private exec(words: readonly string[], idempotent: boolean): Promise<ExecResult> {
    return this.conn.run(this.tool(words), { idempotent });
  }

  private toolMissing(r: ExecResult): void {
    if (r.exitCode === 127) {
      const tool = /(\S+): (?:command )?not found/.exec(r.stderr)?.[1] ?? 'xl';
      throw new ToolMissingError(this.target, tool);
    }
  }

  private async run(script: string, what: string, idempotent: boolean): Promise<string> {
    const r = await this.conn.run(script, { idempotent });
    if (r.exitCode !== 0) {
      this.toolMissing(r);
      throw new XlCommandError(what, r.exitCode, r.stderr, classifyXlFailure(r.stderr), r.signal);
    }
    return r.stdout;
  }

  private async xl(args: readonly string[], idempotent: boolean): Promise<string> {
    return this.run(this.tool(['xl', ...args]), `xl ${args.join(' ')}`, idempotent);
  }

  private async xlOp(args: readonly string[]): Promise<void> {
    await this.xl(args, false);
  }
}

function checkPath(path: string): string {
  if (!/^(\/[^\0\n]*|@[A-Za-z]+)$/.test(path)) throw new BadArgumentError(`not a xenstore path: ${JSON.stringify(path)}`);
  return path;
}
