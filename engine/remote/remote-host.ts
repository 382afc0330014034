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
import type { DomainDevices } from '../toolstack/types';
import { backendPaths, devicesFromXenstore } from './parse/device-nodes';
import { cpuIdentity, featuresetArgument, featuresetOf, parseXenCpuidFeaturesets, parseXenCpuidPolicies } from './parse/xen-cpuid';
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
  DomainSchedChange,
  DomainSchedParams,
  LivepatchPayload,
  PoolSchedChange,
  PoolSchedParams,
  RemoteCpupool,
  RemoteCpuPolicy,
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
  /** xen-cpuid: on PATH, or where Debian (/usr/lib/xen-VERSION/bin) or Xen's own install (LIBEXEC_BIN) puts it. */
  xenCpuid: boolean;
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

/** Where xen-cpuid may sit when it is not on PATH: Debian keeps it in /usr/lib/xen-<version>/bin. */
const XEN_CPUID_DIRS = ['/usr/lib/xen-*/bin', '/usr/lib/xen/bin', '/usr/libexec/xen/bin'];
const CPUID_PROBE = `echo "xen-cpuid $(command -v xen-cpuid || ls -1 ${XEN_CPUID_DIRS.map((d) => `${d}/xen-cpuid`).join(' ')} 2>/dev/null | tail -n 1)"`;

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
    /** The xen-cpuid the probe found ('' when none). */
    private readonly xenCpuidPath: string,
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
        `for t in ${TOOLS.map(([, t]) => t).join(' ')}; do if command -v "$t" >/dev/null 2>&1; then echo "$t yes"; else echo "$t no"; fi; done; ${CPUID_PROBE}`,
        { idempotent: true },
      );
      const lines = probe.stdout.split('\n');
      const found = new Set(lines.filter((l) => l.endsWith(' yes')).map((l) => l.slice(0, -4)));
      const cpuid = lines.find((l) => l.startsWith('xen-cpuid '))?.slice('xen-cpuid '.length).trim() ?? '';
      const caps = { ...Object.fromEntries(TOOLS.map(([k, t]) => [k, found.has(t)])), xenCpuid: cpuid.startsWith('/') } as unknown as RemoteCapabilities;
      if (!caps.xl) throw new ToolMissingError(conn.target, 'xl');
      return new RemoteXenHost(conn, caps, opts.sudo ?? false, caps.xenCpuid ? cpuid : '');
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

  /**
   * `xl dmesg`: the hypervisor console ring. With `clear`, `xl dmesg -c` reads it and
   * empties it (XEN_SYSCTL_readconsole with clear set): a change, so sent once.
   */
  async dmesg(opts: { clear?: boolean } = {}): Promise<string> {
    return opts.clear ? this.xl(['dmesg', '-c'], false) : this.xl(['dmesg'], true);
  }

  /** `xl debug-keys KEYS` (libxl_send_debug_keys): Xen prints the answers into dmesg. */
  async debugKeys(keys: string): Promise<void> {
    if (!/^[!-~]+$/.test(keys)) throw new BadArgumentError(`not debug keys: ${JSON.stringify(keys)}`);
    return this.xlOp(['debug-keys', keys]);
  }

  /**
   * A sparse raw disk image at `path` in dom0 unless something is there already, as an
   * administrator makes one before `xl create` (`truncate -s`): 'created' or 'kept'.
   */
  async makeDiskImage(path: string, sizeMiB: number): Promise<'created' | 'kept'> {
    if (!/^\/[^\0\n]*$/.test(path) || path.split('/').includes('..')) throw new BadArgumentError(`not a disk image path: ${JSON.stringify(path)}`);
    if (!Number.isInteger(sizeMiB) || sizeMiB < 1) throw new BadArgumentError(`not a disk image size: ${sizeMiB}`);
    const script = 'if [ -e "$1" ]; then echo kept; else mkdir -p -- "$(dirname -- "$1")" && truncate -s "$2"M -- "$1" && echo created; fi';
    const out = await this.run(this.tool(['sh', '-c', script, 'sh', path, String(sizeMiB)]), `make disk image ${path}`, false);
    return out.trim() === 'created' ? 'created' : 'kept';
  }

  /** Removes a disk image this console made for a create that then failed. */
  async removeDiskImage(path: string): Promise<void> {
    if (!/^\/[^\0\n]*$/.test(path) || path.split('/').includes('..')) throw new BadArgumentError(`not a disk image path: ${JSON.stringify(path)}`);
    await this.run(this.tool(['rm', '-f', '--', path]), `rm ${path}`, true);
  }

  /**
   * The CPUID policy of the host, or of one domain, as `xen-cpuid` shows it
   * (tools/misc/xen-cpuid.c). The host's names come from xen-cpuid's own decoding of
   * the "Host" featureset; a domain's policy (`--policy=DOMID`) is turned into a
   * featureset word by word, as the labels of the verbose output lay the words out,
   * and given back to xen-cpuid to name.
   */
  async cpuPolicy(dom?: DomainRef): Promise<RemoteCpuPolicy> {
    const tool = this.xenCpuidPath;
    if (tool === '') {
      throw new ToolMissingError(this.target, 'xen-cpuid', `dom0 has no xen-cpuid on PATH nor in ${XEN_CPUID_DIRS.join(', ')}: install the Xen tools package that ships it (Debian: xen-utils-<version>)`);
    }
    const domid = dom === undefined ? undefined : typeof dom === 'number' ? checkRef(dom) : String((await this.domainInfo(dom)).domid);
    const marker = '@@xendeck-policy@@';
    const policyArgs = domid === undefined ? ['-p'] : [`--policy=${domid}`];
    const out = await this.run(`${this.tool([tool, '-v'])} && echo ${marker} && ${this.tool([tool, ...policyArgs])}`, `xen-cpuid ${policyArgs.join(' ')}`, true);
    const [verbose, policies] = out.split(`${marker}\n`);
    if (verbose === undefined || policies === undefined) throw new ParseError('xen-cpuid', 'the featuresets and the policy did not both arrive');
    const sets = parseXenCpuidFeaturesets(verbose);
    const name = domid === undefined ? 'Host' : `Domain ${domid}`;
    const policy = parseXenCpuidPolicies(policies).find((p) => p.name === name);
    if (policy === undefined) throw new ParseError('xen-cpuid', `no ${name} policy in its output`);
    const words = featuresetOf(policy, sets.labels);
    let names: string[][];
    if (domid === undefined) {
      const host = sets.sets.find((x) => x.section === 'Dynamic sets' && x.name === 'Host');
      if (host === undefined) throw new ParseError('xen-cpuid -v', 'no Host featureset among the dynamic sets');
      names = host.names;
    } else {
      const [decoded] = parseXenCpuidFeaturesets(await this.run(this.tool([tool, featuresetArgument(words)]), 'xen-cpuid', true)).sets;
      if (decoded === undefined) throw new ParseError('xen-cpuid', 'it did not decode the featureset');
      names = decoded.names;
    }
    return { ...cpuIdentity(policy), words, features: [...new Set(names.flat())] };
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

  /**
   * A domain's vbds and vifs from xenstore (parse/device-nodes.ts): its frontend
   * directory, then each backend directory it names, as libxl's getinfo calls read them.
   */
  async domainDevices(dom: DomainRef): Promise<DomainDevices> {
    this.need('xenstoreLs', 'xenstore-ls');
    const domid = typeof dom === 'number' ? Number(checkRef(dom)) : (await this.domainInfo(dom)).domid;
    // libxl_domain_info first, so an unknown domid is xl's error rather than xenstore-ls's
    if (typeof dom === 'number') await this.domainInfo(domid);
    const dir = `/local/domain/${domid}/device`;
    const r = await this.exec(['xenstore-ls', dir], true);
    // no device directory at all: a domain without PV devices (or one half built)
    if (r.exitCode !== 0) return { disks: [], nics: [] };
    const deviceNodes = parseXenstoreLs(r.stdout, dir);
    const backends = await Promise.all(backendPaths(deviceNodes, domid).map((p) => this.xenstoreLs(p).catch(() => [] as XenstoreNode[])));
    return devicesFromXenstore(domid, deviceNodes, backends.flat());
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

  /**
   * Sets a domain's parameters with the scheduler of its pool: weight and cap for
   * credit / credit2 (`xl sched-credit[2] -d D -w W -c C`), period, budget and extratime
   * for RTDS, on every vCPU. xl 4.17's sched-rtds wants `-v` with any of -p/-b/-e ("Must
   * specify VCPU.") and as many periods as budgets and extratimes, so each vCPU is sent
   * with its own current values (`-v all` rows) under the changed ones: a vCPU's period,
   * budget or extratime that is not being changed stays its own, not vCPU 0's.
   */
  async setDomainSchedParams(dom: DomainRef, p: DomainSchedChange): Promise<void> {
    const sched = await this.schedulerOf(dom);
    const rt = p.periodUs !== undefined || p.budgetUs !== undefined || p.extratime !== undefined;
    const wc = p.weight !== undefined || p.cap !== undefined;
    if (sched === 'rtds') {
      if (wc) throw new NotSupportedError(`${dom} runs under RTDS, which has period and budget, not weight and cap`);
      if (!rt) throw new BadArgumentError('nothing to set: give a period, a budget or extratime');
      const rows = (await this.domainSchedParams(dom)).params;
      const vcpus = rows.flatMap((v) =>
        v.vcpu !== undefined && v.periodUs !== undefined && v.budgetUs !== undefined && v.extratime !== undefined
          ? [{ vcpu: v.vcpu, period: p.periodUs ?? v.periodUs, budget: p.budgetUs ?? v.budgetUs, extratime: p.extratime ?? v.extratime }]
          : [],
      );
      if (vcpus.length === 0) throw new ParseError('xl sched-rtds', `no vCPU rows (period, budget, extratime) for ${dom}`);
      await this.setVcpuRtds(dom, vcpus);
      return;
    }
    if (rt) throw new NotSupportedError(`${dom} runs under ${sched}, which has weight and cap, not period and budget`);
    if (!wc) throw new BadArgumentError('nothing to set: give a weight or a cap');
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

  /** `xl trigger DOMAIN TRIGGER VCPU`. */
  async trigger(dom: DomainRef, trigger: string, vcpu: number): Promise<void> {
    if (!/^[a-z0-9]+$/.test(trigger) || !Number.isInteger(vcpu) || vcpu < 0) throw new BadArgumentError(`not a trigger: ${JSON.stringify(trigger)} ${vcpu}`);
    return this.xlOp(['trigger', checkRef(dom), trigger, String(vcpu)]);
  }

  /** `xl sysrq DOMAIN KEY`: one printable character. */
  async sysrq(dom: DomainRef, key: string): Promise<void> {
    if (!/^[!-~]$/.test(key)) throw new BadArgumentError(`not a sysrq key: ${JSON.stringify(key)}`);
    return this.xlOp(['sysrq', checkRef(dom), key]);
  }

  /** `xl block-attach DOMAIN SPEC...` (each spec word quoted for the remote shell). */
  async blockAttach(dom: DomainRef, spec: readonly string[]): Promise<void> {
    return this.xlOp(['block-attach', checkRef(dom), ...spec.map(checkWord)]);
  }

  /** `xl block-detach [-f] DOMAIN VDEV`. */
  async blockDetach(dom: DomainRef, vdev: string, force: boolean): Promise<void> {
    return this.xlOp(['block-detach', ...(force ? ['-f'] : []), checkRef(dom), checkWord(vdev)]);
  }

  /** `xl network-attach DOMAIN [KEY=VALUE...]`. */
  async networkAttach(dom: DomainRef, args: readonly string[]): Promise<void> {
    return this.xlOp(['network-attach', checkRef(dom), ...args.map(checkWord)]);
  }

  /** `xl network-detach DOMAIN DEVID|MAC`. */
  async networkDetach(dom: DomainRef, dev: string): Promise<void> {
    return this.xlOp(['network-detach', checkRef(dom), checkWord(dev)]);
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

  /**
   * A pool's scheduler parameters (tools/xl/xl_sched.c): `xl sched-credit -s -p POOL
   * [-t TSLICE] [-r RATELIMIT] [-m DELAY]`, `xl sched-credit2 -s -p POOL [-r RATELIMIT]`.
   * xl's sched-rtds has no -s in 4.17 (RTDS keeps no pool-wide parameters), nor has
   * null any sched-* command. libxl checks the ranges (libxl_sched.c) and xl's words come
   * back in the XlCommandError.
   */
  async setPoolSchedParams(pool: string, p: PoolSchedChange): Promise<void> {
    const name = checkPoolName(pool);
    const found = (await this.cpupoolList()).find((x) => x.name === name);
    if (found === undefined) throw new XlCommandError(`xl sched -p ${name}`, 1, `unknown cpupool '${name}'\n`, classifyXlFailure(`Pool '${name}' does not exist\n`));
    const num = (v: number, what: string): string => {
      if (!Number.isInteger(v) || v < 0) throw new BadArgumentError(`${what} must be a whole number, not ${v}`);
      return String(v);
    };
    if (found.sched === 'credit') {
      if (p.tsliceMs === undefined && p.ratelimitUs === undefined && p.migrationDelayUs === undefined) throw new BadArgumentError('nothing to set: give a time slice, a rate limit or a migration delay');
      const args = ['sched-credit', '-s', '-p', name];
      if (p.tsliceMs !== undefined) args.push('-t', num(p.tsliceMs, 'tslice_ms'));
      if (p.ratelimitUs !== undefined) args.push('-r', num(p.ratelimitUs, 'ratelimit_us'));
      if (p.migrationDelayUs !== undefined) args.push('-m', num(p.migrationDelayUs, 'migration_delay_us'));
      return this.xlOp(args);
    }
    if (found.sched === 'credit2') {
      if (p.tsliceMs !== undefined || p.migrationDelayUs !== undefined) throw new NotSupportedError(`pool ${name} runs credit2, whose only pool parameter is the rate limit (xl sched-credit2 -s -r)`);
      if (p.ratelimitUs === undefined) throw new BadArgumentError('nothing to set: give a rate limit');
      return this.xlOp(['sched-credit2', '-s', '-p', name, '-r', num(p.ratelimitUs, 'ratelimit_us')]);
    }
    throw new NotSupportedError(`pool ${name} runs ${found.sched}, which has no pool-wide parameters xl can set`, found.sched === 'rtds' ? "xl sched-rtds has no -s (\"option `s' not supported.\"): RTDS parameters are per domain" : undefined);
  }

  /**
   * `xl vcpu-pin DOM VCPU|all HARD [SOFT]` (tools/xl/xl_vcpu.c): a null affinity is
   * sent as "-", which xl reads as "leave it as it is".
   */
  async vcpuPin(dom: DomainRef, vcpu: number | 'all', hard: readonly number[] | null, soft: readonly number[] | null): Promise<void> {
    if (vcpu !== 'all' && (!Number.isInteger(vcpu) || vcpu < 0)) throw new BadArgumentError(`bad vCPU ${vcpu}`);
    if (hard === null && soft === null) throw new BadArgumentError('nothing to set: give a hard or a soft affinity');
    return this.xlOp(['vcpu-pin', checkRef(dom), String(vcpu), hard === null ? '-' : cpuList(hard), ...(soft === null ? [] : [cpuList(soft)])]);
  }

  /** `xl mem-max DOM <kib>k` (libxl_domain_setmaxmem: never below the current target). */
  async memMax(dom: DomainRef, maxKiB: number): Promise<void> {
    if (!Number.isInteger(maxKiB) || maxKiB < 0) throw new BadArgumentError(`bad maximum memory ${maxKiB} KiB`);
    return this.xlOp(['mem-max', checkRef(dom), `${maxKiB}k`]);
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

/** An argument for xl: not empty, not an option, no newline or NUL (it is quoted for the shell). */
function checkWord(w: string): string {
  if (w === '' || w.startsWith('-') || /[\0\n]/.test(w)) throw new BadArgumentError(`not an xl argument: ${JSON.stringify(w)}`);
  return w;
}

function checkPath(path: string): string {
  if (!/^(\/[^\0\n]*|@[A-Za-z]+)$/.test(path)) throw new BadArgumentError(`not a xenstore path: ${JSON.stringify(path)}`);
  return path;
}
