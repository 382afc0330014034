/**
 * The embedded host: a simulated Xen (engine/hypervisor) driven the way libxl drives a
 * real one, through the hypercall entry only. Domain creation follows libxl_create.c's
 * order — make the domain, set max_mem, populate the target, unpause unless asked to stay
 * paused — and on any failure destroys what it made, so a failed create leaves the host
 * as it was (as libxl's domcreate_complete does).
 *
 * Every domU runs a guest model (engine/guest) on the host's simulated clock, with its
 * console page read by ./guest-console.ts. When the guest stops (SCHEDOP_shutdown from
 * its poweroff, reboot or a crash, or in answer to `xl shutdown`), the domain's
 * on_poweroff / on_reboot / on_crash action runs (destroy, restart from its config,
 * preserve, rename-restart, coredump-destroy / -restart with a core file in the lab's
 * dump folder), as xl does when it sees the domain shut down.
 */
import { BalloonDriver, type BalloonPlatform } from '../guest/balloon';
import { VcpuHotplug } from '../guest/vcpu-hotplug';
import { Guest } from '../guest/guest';
import { LabNetwork } from '../guest/lab-network';
import { XenBackends } from '../guest/xen-backends';
import type { VcpuRegisters } from '../guest/vcpu-registers';
import type { Dom0Tools } from '../guest/dom0-tools';
import { XsClient } from '../xenstore/client';
import { SHUTDOWN_REASON_CODE, type ShutdownReason } from '../hypervisor/domain';
import { findPreset, HOST_PRESETS, type HostPreset } from '../hypervisor/host-presets';
import type { TopologySpec } from '../hypervisor/topology';
import { XEN_VERSION, Xen, PAGE_KIB, type DomainInfo, type Physinfo } from '../hypervisor/xen';
import type { ConsoleStream } from './console-stream';
import { applyVcpuAffinity } from './build-affinity';
import { parseDomainConfig, withOverrides, type ConfigHostFacts } from './domain-build-info';
import { devicesForLayout, readDomainDevices } from './domain-devices';
import { CpupoolOps } from './cpupool-ops';
import { GuestConsoleBackend } from './guest-console';
import { HypervisorConsole } from './hypervisor-console';
import { Dom0Tty } from './dom0-tty';
import type { BlockDeviceLookup } from './block-devices';
import { guestHardware } from './guest-hardware';
import { HostXenstore, type XenstoreListing } from './host-xenstore';
import { toDomainSummary } from './domain-summary';
import { renamedConfigText } from './config-rename';
import { setMemoryTarget, setOnlineVcpus } from './domain-tuning';
import type { DomainRef, ShutdownOptions, ToolstackHost, TriggerName } from './host-api';
import { ToolstackError } from './toolstack-error';
import { dumpDomainCore, type CoreDumpResult } from './coredump/domain-dumpcore';
import { attachDisk, attachNic, detachDisk, detachNic, type HotplugHostView } from './device-hotplug';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setDiskBackend, setDiskBackends } from './disk-set-backend';
import { saveDomain, type SaveOptions, type SaveResult } from './migration/domain-save';
import { restoreDomainFromFile, type RestoreOptions, type RestoreResult } from './migration/domain-restore';
import { checkDebugKeys } from './debug-keys';
import type {
  DomainDevices,
  CpupoolSummary,
  CpuPolicySummary,
  CreateDomainRequest,
  CreateDomainResult,
  DomainBuildInfoJson,
  DomainSchedInfo,
  DomainSchedParamsT,
  DomainSummary,
  HostSummary,
  HostTopology,
  HostSample,
  DomainSample,
  PoolSchedInfoT,
  PoolSchedParamsT,
  SchedulerNameT,
  ShutdownAction,
  ToolstackEvent,
  VcpuSchedParamsT,
  VcpuSummary,
} from './types';

/** xentop's per-domain CPU time from getdomaininfolist, as the two columns of a HostSample. */
function domainCpuColumns(infos: DomainInfo[]): Pick<HostSample, 'domids' | 'domainCpuNs'> {
  const domids = new Array<number>(infos.length);
  const domainCpuNs = new Array<number>(infos.length);
  infos.forEach((d, i) => {
    domids[i] = d.domid;
    domainCpuNs[i] = d.cpuTime;
  });
  return { domids, domainCpuNs };
}

export interface EmbeddedHostOptions {
  id: string;
  /** A preset of engine/hypervisor/host-presets (default small-lab). */
  preset?: string;
  seed?: number;
  hostname?: string;
  /** A custom topology in place of the preset's (the preset still gives the CPU model). */
  topology?: TopologySpec;
  /** The host's xenstore (default: a xenstored in this process). */
  xenstore?: HostXenstore;
  /** Where core files go (xl's XEN_DUMP_DIR, /var/lib/xen/dump): the lab's dump folder. */
  dumpDir?: string;
  /** The toolstack's wall clock in ms (xl's time(): the suffix of a preserved domain's name). */
  wallClockMs?: () => number;
  /** What dom0 finds behind a disk's target (./block-devices.ts; default: every disk the simulated 10 GiB). */
  blockDevices?: BlockDeviceLookup;
  /**
   * Xen's tools for Domain-0's shell (engine/guest/dom0-tools.ts), made for this host by
   * whoever wires it (main/services/lab.ts: XenDeck's own xl and xentop, engine/cli).
   */
  dom0Tools?: (host: EmbeddedHost) => Dom0Tools;
}

export interface KeptConfig {
  text: string;
  file: string;
  buildInfo: DomainBuildInfoJson;
  /** Simulated ns at which the domain was created (`xl uptime`). */
  createdNs: number;
}

export class EmbeddedHost implements ToolstackHost {
  readonly kind = 'embedded' as const;
  readonly id: string;
  readonly xen: Xen;
  readonly preset: HostPreset;
  private readonly hostname: string;
  private readonly configs = new Map<number, KeptConfig>();
  private readonly listeners = new Set<(e: ToolstackEvent) => void>();
  /**
   * Names of the domains this toolstack made (libxl keeps them in xenstore's
   * /local/domain/N/name): a name check or lookup is then O(1) instead of a walk over
   * every domain's info, which made creating 10,000 domains quadratic.
   */
  private readonly names = new Map<string, number>([['Domain-0', 0]]);
  readonly pools: CpupoolOps;
  /** The host's xenstore, with libxl's layout of every domain. */
  readonly xenstore: HostXenstore;
  /** The lab network's DHCP/TFTP service on xenbr0 (network boot of HVM guests). */
  readonly labNetwork = new LabNetwork();
  /** Dom0's PV backend drivers, when the guests can reach xenstored (in process). */
  readonly backends: XenBackends | undefined;
  /** Resolves once the backends watch their directories. */
  readonly backendsReady: Promise<void> = Promise.resolve();
  /** Dom0's balloon driver, made on the first `xl mem-set 0`. */
  private dom0Balloon: BalloonDriver | undefined;
  private dom0Hotplug: VcpuHotplug | undefined;
  /** The vCPU registers of a domain being restored, until its guest model is made. */
  private resumeRegisters: { domid: number; registers: (VcpuRegisters | undefined)[] } | undefined;
  private dom0Tty_: Dom0Tty | undefined;
  private readonly guests = new Map<number, { guest: Guest; console: GuestConsoleBackend }>();
  /** xl's XEN_DUMP_DIR for this host (undefined: not kept in a lab, no core files). */
  readonly dumpDir: string | undefined;
  private readonly wallClockMs: () => number;
  /** What dom0 finds behind a disk's target (undefined: every target is there). */
  private readonly blockDevices: BlockDeviceLookup | undefined;
  private readonly makeDom0Tools: ((host: EmbeddedHost) => Dom0Tools) | undefined;
  private dom0Tools_: Dom0Tools | undefined;

  constructor(opts: EmbeddedHostOptions) {
    const preset = findPreset(opts.preset ?? 'small-lab');
    if (!preset) {
      throw new ToolstackError('EINVAL', `unknown host preset "${opts.preset}"`, `one of ${HOST_PRESETS.map((p) => p.id).join(', ')}`);
    }
    this.id = opts.id;
    const t = opts.topology;
    this.preset = t
      ? { ...preset, topology: t, label: `Custom: ${t.sockets} socket(s) × ${t.coresPerSocket} cores × ${t.threadsPerCore} threads, ${t.memoryMiB / 1024} GiB (${preset.label.split(',')[0]} CPUs)` }
      : preset;
    this.hostname = opts.hostname ?? opts.id;
    this.dumpDir = opts.dumpDir;
    this.wallClockMs = opts.wallClockMs ?? Date.now;
    this.blockDevices = opts.blockDevices;
    this.makeDom0Tools = opts.dom0Tools;
    this.xen = Xen.boot({ seed: opts.seed ?? 1, topology: this.preset.topology, cpuMhz: preset.cpuMhz, cpu: { vendor: preset.vendor, family: preset.family, model: preset.model, features: preset.features } });
    this.pools = new CpupoolOps(this.xen);
    this.xenstore = opts.xenstore ?? new HostXenstore();
    this.xenstore.onError = (message) => this.emit({ kind: 'host.log', hostId: this.id, level: 'warning', message: `xenstore: ${message}` });
    // dom0's blkback / netback answer the guests' frontends (engine/guest/xen-backends.ts)
    const dom0 = this.xenstore.dom0Xenbus();
    if (dom0) {
      this.backends = new XenBackends(dom0, 0, (message) => this.emit({ kind: 'host.log', hostId: this.id, level: 'warning', message }), opts.blockDevices);
      this.backendsReady = this.backends.start().catch((e: unknown) => this.emit({ kind: 'host.log', hostId: this.id, level: 'warning', message: `xen-backend: ${e instanceof Error ? e.message : String(e)}` }));
    }
    // VIRQ_DOM_EXC: whoever stopped the domain (its own kernel, a crash, the toolstack),
    // the host's event log says so in xl's words before the on_* action is carried out
    this.xen.events.subscribe((e) => {
      if (e.kind !== 'domain.state' || e.state !== 'shutdown' || !e.reason) return;
      const code = SHUTDOWN_REASON_CODE[e.reason];
      const name = this.info(e.domid).name;
      const level = e.reason === 'crash' || e.reason === 'watchdog' ? 'warning' : 'info';
      this.emit({ kind: 'host.log', hostId: this.id, level, message: `Domain ${e.domid} (${name}) has shut down, reason code ${code} 0x${code.toString(16)} (${e.reason})` });
    });
  }

  async summary(): Promise<HostSummary> {
    return this.summaryNow();
  }

  summaryNow(): HostSummary {
    const p = this.xen.hypercall({ op: 'sysctl.physinfo' });
    const mib = (pages: number): number => Math.floor((pages * PAGE_KIB) / 1024);
    return {
      id: this.id,
      kind: this.kind,
      hostname: this.hostname,
      xenVersion: `${XEN_VERSION.major}.${XEN_VERSION.minor}${XEN_VERSION.extra}`,
      hardware: this.preset.label,
      nrCpus: p.nrCpus,
      nrNodes: p.nrNodes,
      cpuMhz: p.cpuKhz / 1000,
      totalMemoryMiB: mib(p.totalPages),
      freeMemoryMiB: mib(p.freePages),
      scheduler: this.pools.list().find((x) => x.poolId === 0)?.sched ?? 'credit2',
      nrDomains: this.xen.nrDomains,
      nowNs: this.xen.clock.now,
      ...(this.xenstore.socketPath === undefined ? {} : { xenstoredPath: this.xenstore.socketPath }),
    };
  }

  /** XEN_SYSCTL_physinfo as libxl_get_physinfo returns it (`xl info`). */
  async physinfo(): Promise<Physinfo> {
    return this.xen.hypercall({ op: 'sysctl.physinfo' });
  }

  async listDomains(): Promise<DomainSummary[]> {
    const names = this.pools.names();
    return this.infos().map((d) => toDomainSummary(d, (id) => names.get(id) ?? `Pool-${id}`, this.targetKiB(d.domid)));
  }

  async domain(ref: DomainRef): Promise<DomainSummary> {
    return this.toSummary(this.info(this.resolve(ref)));
  }

  async createDomain(req: CreateDomainRequest): Promise<CreateDomainResult> {
    return this.createNow(req);
  }

  /** `fill`: instead of populating the target, bring the memory in (a restore's stream); a throw undoes the create. */
  private createNow(req: CreateDomainRequest, fill?: (domid: number) => void): CreateDomainResult {
    const file = req.file ?? 'config';
    const text = withOverrides(req.configText, req.overrides);
    const { buildInfo, warnings } = parseDomainConfig(text, file, this.configHost());
    const { c_info: c, b_info: b } = buildInfo;
    // xl_parse.c: `pool` must name an existing cpupool (libxl_name_to_cpupoolid).
    const poolId = c.pool_name !== undefined ? this.pools.poolId(c.pool_name) : 0;
    // xl -N stops after parsing (tools/xl/xl_vmcontrol.c create_domain): the name is
    // only checked against running domains by libxl when it makes the domain.
    if (req.dryRun) return { name: c.name, buildInfo, warnings };
    if (this.domidOfName(c.name) !== undefined) {
      throw new ToolstackError('EEXIST', `Domain with name "${c.name}" already exists.`, 'Choose another name, or destroy the running domain first');
    }

    let domid: number | undefined;
    try {
      domid = this.xen.hypercall({ op: 'domctl.createdomain', type: c.type, maxVcpus: b.max_vcpus, name: c.name, uuid: c.uuid }).domid;
      // libxl pauses the new domain while it builds it and unpauses at the end.
      this.xen.hypercall({ op: 'domctl.pausedomain', domid });
      // libxl makes the domain in its pool (xen_domctl_createdomain.cpupool_id); here it is moved there before it ever runs.
      if (poolId !== 0) this.xen.hypercall({ op: 'sysctl.cpupool_op.movedomain', poolId, domid });
      if (b.cpuid) {
        // libxl_cpuid_apply_policy: start from the domain's default, apply the config's changes
        const have = new Set(this.xen.hypercall({ op: 'domctl.get_cpu_policy', domid }).features as string[]);
        const host = b.cpuid && Object.values(b.cpuid).includes('k') ? new Set(this.xen.hypercall({ op: 'sysctl.get_cpu_policy', index: 'host' }).features as string[]) : undefined;
        for (const [f, v] of Object.entries(b.cpuid)) {
          // xend's 'k' / 's': the bit as the host has it
          const on = v === 'k' ? host!.has(f) : v === 1;
          if (on) have.add(f);
          else have.delete(f);
        }
        this.xen.hypercall({ op: 'domctl.set_cpu_policy', domid, features: [...have] });
      }
      applyVcpuAffinity(this.xen, domid, b);
      if (b.sched_params) {
        // libxl__build_post's libxl_domain_sched_params_set (4.17; libxl__sched_set_params is
        // only declared): the config's weight / cap / period / extratime. For RTDS that is
        // sched_rtds_domain_set (cpupool-ops.ts): period over getinfo's budget, every vCPU set;
        // extratime= only sets the putinfo flag rt_dom_cntl() ignores, so it has no effect there
        const { weight, cap, period, extratime } = b.sched_params;
        const p = { ...(weight !== undefined ? { weight } : {}), ...(cap !== undefined ? { cap } : {}), ...(period !== undefined ? { period } : {}), ...(extratime !== undefined ? { extratime: extratime !== 0 } : {}) };
        if (Object.keys(p).length > 0) this.pools.setDomainSched(domid, p);
      }
      this.xen.hypercall({ op: 'domctl.max_mem', domid, maxKiB: b.max_memkb });
      if (fill) fill(domid);
      else this.xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: b.target_memkb / PAGE_KIB });
      // initiate_domain_create: the disks' backends are chosen once the domain is made
      setDiskBackends(this.blockDevices, domid, buildInfo.disks ?? []);
      if (!req.paused) this.xen.hypercall({ op: 'domctl.unpausedomain', domid });
    } catch (e) {
      if (domid !== undefined) this.xen.hypercall({ op: 'domctl.destroydomain', domid });
      throw ToolstackError.from(e);
    }
    try {
      const info = this.info(domid);
      this.xenstore.domainCreated({ domid, uuid: info.uuid, name: c.name, startNs: this.xen.clock.now }, buildInfo, devicesForLayout(buildInfo, info.uuid));
    } catch (e) {
      this.xen.hypercall({ op: 'domctl.destroydomain', domid });
      throw ToolstackError.from(e);
    }
    this.configs.set(domid, { text, file, buildInfo, createdNs: this.xen.clock.now });
    this.names.set(c.name, domid);
    this.startGuest(domid, req.paused ?? false);
    this.emit({ kind: 'domain.created', hostId: this.id, domain: this.toSummary(this.info(domid)) });
    return { domid, name: c.name, buildInfo, warnings };
  }

  /** `xl save [-c] [-p]`: the domain into an xl save file at `file` (on this machine). */
  async save(ref: DomainRef, file: string, opts: SaveOptions = {}): Promise<SaveResult> {
    const domid = this.resolve(ref);
    return saveDomain(
      {
        xen: this.xen,
        domainNow: (id) => this.toSummary(this.info(id)),
        buildInfoOf: (id) => this.configs.get(id)?.buildInfo,
        suspend: (id) => {
          this.call(() => this.xen.hypercall({ op: 'domctl.pausedomain', domid: id }));
          this.guests.get(id)?.guest.freeze();
        },
        suspendGuest: (id) => this.guests.get(id)?.guest.suspend(),
        resume: (id) => this.resumeNow(id),
        destroyNow: (id) => this.destroyNow(id),
        progress: (id, done, total) => this.emit({ kind: 'domain.progress', hostId: this.id, domid: id, op: 'save', done, total }),
      },
      domid,
      file,
      opts,
    );
  }

  /** `xl restore [-p] [CONFIG] FILE`: a domain back from an xl save file. */
  async restore(file: string, opts: RestoreOptions = {}): Promise<RestoreResult> {
    return restoreDomainFromFile(
      {
        xen: this.xen,
        createForRestore: (configText, cfgFile, fill) => {
          const r = this.createNow({ configText, file: cfgFile, paused: true }, (domid) => {
            // the guest model made for this domain resumes from these (startGuest)
            this.resumeRegisters = { domid, registers: fill(domid) };
          });
          this.resumeRegisters = undefined;
          return { domid: r.domid!, name: r.name };
        },
        resume: (id) => this.resumeNow(id),
      },
      file,
      opts,
    );
  }

  private resumeNow(domid: number): void {
    this.call(() => this.xen.hypercall({ op: 'domctl.unpausedomain', domid }));
    if (!this.info(domid).flags.paused) this.guests.get(domid)?.guest.thaw();
    this.changed(domid);
  }

  async pause(ref: DomainRef): Promise<void> {
    const domid = this.resolve(ref);
    this.call(() => this.xen.hypercall({ op: 'domctl.pausedomain', domid }));
    this.guests.get(domid)?.guest.freeze();
    this.changed(domid);
  }

  async unpause(ref: DomainRef): Promise<void> {
    const domid = this.resolve(ref);
    this.call(() => this.xen.hypercall({ op: 'domctl.unpausedomain', domid }));
    if (!this.info(domid).flags.paused) this.guests.get(domid)?.guest.thaw();
    this.changed(domid);
  }

  async shutdown(ref: DomainRef, opts: ShutdownOptions = {}): Promise<void> {
    const domid = this.resolve(ref);
    if (domid === 0) throw new ToolstackError('EINVAL', 'Domain-0 cannot be shut down from the toolstack', 'Shut the host down instead');
    const reason = opts.reboot ? 'reboot' : 'poweroff';
    const guest = this.guests.get(domid)?.guest;
    // A running guest answers control/shutdown itself and calls back domainShutdown().
    if (guest && !guest.paused && guest.state !== 'down') guest.requestShutdown(reason);
    else this.domainShutdown(domid, reason);
  }

  /**
   * The domain stopped with `reason` (SCHEDOP_shutdown, or the toolstack's request):
   * libxl's domain death handling runs the matching on_* action.
   */
  private domainShutdown(domid: number, reason: ShutdownReason): void {
    this.call(() => this.xen.hypercall({ op: 'domctl.shutdown', domid, reason }));
    this.guests.get(domid)?.guest.stop();
    this.changed(domid);
    const kept = this.configs.get(domid);
    const b = kept?.buildInfo;
    let action: ShutdownAction = b ? (reason === 'reboot' ? b.on_reboot : reason === 'crash' ? b.on_crash : reason === 'soft_reset' ? (b.on_soft_reset ?? 'soft-reset') : b.on_poweroff) : 'destroy';
    this.log(`Action for shutdown reason code ${SHUTDOWN_REASON_CODE[reason]} is ${action}`);
    // xl_vmcontrol.c handle_domain_death: the core is dumped first, then the action is
    // carried out as destroy / restart ("no point crying over spilled milk" if it fails)
    if (action === 'coredump-destroy' || action === 'coredump-restart') {
      this.coreDumpOnDeath(domid, b?.c_info.name ?? this.info(domid).name);
      action = action === 'coredump-destroy' ? 'destroy' : 'restart';
    }
    if (action === 'preserve') return;
    if (action === 'soft-reset') {
      // xl's handle_domain_death → libxl_domain_soft_reset: same domid, memory kept
      this.call(() => this.xen.hypercall({ op: 'domctl.soft_reset', domid }));
      this.guests.get(domid)?.guest.softReset();
      this.changed(domid);
      return;
    }
    if (action === 'rename-restart') {
      // xl's preserve_domain: the old domain stays, shut down, under a new name; a new one starts
      this.preserveDomain(domid);
    } else {
      this.log(`Domain ${domid} needs to be cleaned up: destroying the domain`);
      this.destroyNow(domid);
    }
    if (kept && (action === 'restart' || action === 'rename-restart')) {
      this.createNow({ configText: kept.text, file: kept.file });
    }
  }

  /**
   * xl's coredump-* actions: libxl_domain_core_dump to XEN_DUMP_DIR/<name> (here the
   * lab's dump folder). A failure is logged and the action goes on, as xl does.
   */
  private coreDumpOnDeath(domid: number, name: string): void {
    if (this.dumpDir === undefined) {
      this.emit({ kind: 'host.log', hostId: this.id, level: 'warning', message: `core dump failed (rc=-3): host ${this.id} has no dump folder (it is not kept in a lab folder)` });
      return;
    }
    const file = join(this.dumpDir, name);
    this.log(`dumping core to ${file}`);
    try {
      mkdirSync(this.dumpDir, { recursive: true, mode: 0o700 });
      dumpDomainCore(this.xen, domid, file, this.suspendedRegisters(domid));
    } catch (e) {
      this.emit({ kind: 'host.log', hostId: this.id, level: 'warning', message: `${ToolstackError.from(e).message}: core dump failed (rc=-3).` });
    }
  }

  /**
   * libxl_domain_preserve as xl's preserve_domain calls it: the name gets the suffix
   * "-%Y%m%dT%H%MZ" (UTC, from the toolstack's clock, as xl's time()), the domain a new
   * uuid under /vm (the hypervisor's handle stays: libxl only rewrites xenstore's
   * /local/domain/N/vm and /vm/<new uuid>/uuid) and its name is changed in xenstore as
   * libxl__domain_rename does. The domain stays shut down; XenDeck no longer restarts it.
   */
  private preserveDomain(domid: number): void {
    const info = this.info(domid);
    const t = new Date(this.wallClockMs());
    const p2 = (n: number): string => String(n).padStart(2, '0');
    const suffix = `-${t.getUTCFullYear()}${p2(t.getUTCMonth() + 1)}${p2(t.getUTCDate())}T${p2(t.getUTCHours())}${p2(t.getUTCMinutes())}Z`;
    const preserved = `${info.name}${suffix}`;
    const uuid = randomUUID();
    this.log(`Preserving domain ${domid} ${info.name} with suffix${suffix}`);
    this.xenstore.write({
      [`/local/domain/${domid}/vm`]: `/vm/${uuid}`,
      [`/vm/${uuid}/uuid`]: uuid,
      [`/vm/${uuid}/name`]: preserved,
      [`/local/domain/${domid}/name`]: preserved,
    });
    this.xen.hypercall({ op: 'sim.set_name', domid, name: preserved });
    if (this.names.get(info.name) === domid) this.names.delete(info.name);
    this.names.set(preserved, domid);
    const kept = this.configs.get(domid);
    if (kept) {
      this.configs.set(domid, { ...kept, text: renamedConfigText(kept.text, preserved), buildInfo: { ...kept.buildInfo, c_info: { ...kept.buildInfo.c_info, name: preserved } } });
    }
    // no previousName: the lab's xl.cfg stays with the name the new domain starts under
    this.changed(domid);
  }

  /**
   * `xl sysrq DOMAIN KEY`: libxl_send_sysrq writes the key to ~/control/sysrq; the
   * guest's kernel takes it from there (engine/guest Guest.sysrq).
   */
  async sendSysrq(ref: DomainRef, key: string): Promise<void> {
    const domid = this.resolve(ref);
    if (key.length !== 1) throw new ToolstackError('EINVAL', 'Invalid sysrq.', 'one character, e.g. c (crash), b (reboot), o (power off), h (help)');
    this.xenstore.write({ [`/local/domain/${domid}/control/sysrq`]: key });
    // the guest's driver acts on the watch event, once the node is written
    await this.xenstore.settled();
    this.guests.get(domid)?.guest.sysrq(key);
  }

  /**
   * `xl trigger DOMAIN TRIGGER [VCPU]`: libxl_send_trigger → XEN_DOMCTL_sendtrigger as
   * Xen 4.17's x86 domctl handles it: a vCPU the domain does not have is ESRCH; nmi goes
   * to any guest, power and sleep only to an HVM one (else EINVAL), reset and init are
   * ENOSYS on x86. s3resume is libxl's HVM_PARAM_ACPI_S_STATE = 0, nothing to do for a
   * guest that is not in S3 (XenDeck's never are).
   */
  async sendTrigger(ref: DomainRef, trigger: TriggerName, vcpu = 0): Promise<void> {
    const domid = this.resolve(ref);
    const info = this.info(domid);
    const guest = this.guests.get(domid)?.guest;
    const failed = (code: 'ESRCH' | 'EINVAL' | 'ENOSYS'): never => {
      throw new ToolstackError(code, `Send trigger '${trigger}' failed`);
    };
    if (trigger === 's3resume') {
      if (info.type === 'pv') failed('EINVAL');
      return;
    }
    if (!Number.isInteger(vcpu) || vcpu < 0 || vcpu > info.maxVcpuId) failed('ESRCH');
    if (trigger === 'reset' || trigger === 'init') failed('ENOSYS');
    if (trigger === 'nmi') return guest?.nmi(vcpu);
    // is_hvm_domain(): HVM and PVH; a PVH guest has no ACPI PM1a block to raise it in
    if (info.type === 'pv') failed('EINVAL');
    if (trigger === 'power' && info.type === 'hvm') guest?.acpiPowerButton();
  }

  /** What device hot-plug needs of this host (./device-hotplug.ts). */
  private hotplugView(): HotplugHostView {
    return {
      xenstore: this.xenstore,
      buildInfoOf: (id) => this.configs.get(id)?.buildInfo,
      setBuildInfo: (id, b) => {
        const kept = this.configs.get(id);
        if (kept) this.configs.set(id, { ...kept, buildInfo: b });
      },
      uuidOf: (id) => this.info(id).uuid,
      checkDisk: (disk) => setDiskBackend(this.blockDevices, disk),
    };
  }

  async blockAttach(ref: DomainRef, spec: string[]): Promise<void> {
    const domid = this.resolve(ref);
    attachDisk(this.hotplugView(), domid, spec);
    this.changed(domid);
  }

  async blockDetach(ref: DomainRef, vdev: string, opts: { force?: boolean } = {}): Promise<void> {
    const domid = this.resolve(ref);
    await detachDisk(this.hotplugView(), domid, vdev, opts);
    this.changed(domid);
  }

  async networkAttach(ref: DomainRef, args: string[]): Promise<{ warnings: string[] }> {
    const domid = this.resolve(ref);
    const r = attachNic(this.hotplugView(), domid, args);
    this.changed(domid);
    return { warnings: r.warnings };
  }

  async networkDetach(ref: DomainRef, dev: string): Promise<void> {
    const domid = this.resolve(ref);
    await detachNic(this.hotplugView(), domid, dev);
    this.changed(domid);
  }

  /** `xl dump-core DOMAIN FILE`: libxl_domain_core_dump, the domain left as it is. */
  async coreDump(ref: DomainRef, file: string): Promise<CoreDumpResult> {
    const domid = this.resolve(ref);
    if (domid === 0) throw new ToolstackError('EINVAL', 'Domain-0 cannot be dumped by XenDeck', 'dump a guest domain');
    return dumpDomainCore(this.xen, domid, file, this.suspendedRegisters(domid));
  }

  /** A suspended guest's vCPU registers for its core's .xen_prstatus. */
  private suspendedRegisters(domid: number): (vcpu: number) => VcpuRegisters | undefined {
    return (vcpu) => this.guests.get(domid)?.guest.suspendedRegisters()?.[vcpu];
  }

  private startGuest(domid: number, paused: boolean): void {
    const resume = this.resumeRegisters?.domid === domid ? this.resumeRegisters.registers : undefined;
    this.resumeRegisters = undefined;
    const guest = new Guest(
      {
        clock: this.xen.clock,
        hardware: () => guestHardware(this.info(domid), this.preset, this.configs.get(domid)?.buildInfo),
        shutdown: (reason) => this.domainShutdown(domid, reason),
        cpuTimeNs: () => this.info(domid).cpuTime,
        vcpuRunstates: () => (this.xen.hypercall({ op: 'sim.sched_metrics', domid, vcpus: true, pools: false }).vcpus ?? []).filter((v) => v.domid === domid).map((v) => v.runstate),
        setWorkload: (vcpu, workload) => this.xen.hypercall({ op: 'sim.set_workload', domid, vcpu, workload }),
        xenbus: () => this.guestXenbus(domid),
        labNetwork: () => this.labNetwork,
        // the guest's own pages (a foreign mapping stands in for the kernel's direct map)
        memory: () => this.xen.hypercall({ op: 'privcmd.map_foreign', domid }),
      },
      {
        paused,
        // restored from a save image: it resumes where it was (engine/guest/resume-state.ts)
        ...(resume && resume[0] ? { resume: { registers: resume.filter((r): r is VcpuRegisters => r !== undefined) } } : {}),
        // the guest's own hypercalls: XENMEM_* for its balloon driver, VCPUOP_* for hotplug
        memory: this.balloonMemory(domid),
        vcpus: {
          maxVcpus: this.info(domid).maxVcpuId + 1,
          up: (vcpu) => void this.xen.hypercall({ op: 'vcpu_op.up', domid, vcpu }),
          down: (vcpu) => void this.xen.hypercall({ op: 'vcpu_op.down', domid, vcpu }),
          isUp: (vcpu) => this.xen.hypercall({ op: 'domctl.getvcpuinfo', domid })[vcpu]?.online ?? false,
        },
      },
    );
    this.guests.set(domid, { guest, console: new GuestConsoleBackend(domid, guest.console) });
    // the kernel brings up only the vCPUs whose cpu/N/availability is online (vcpus < maxvcpus)
    guest.vcpuHotplug?.availabilityChanged(this.vcpuAvailability(domid));
  }

  /** ~/cpu/N/availability of every vCPU, as the guest's hotplug watch reads it. */
  vcpuAvailability(domid: number): Map<number, string> {
    const n = this.info(domid).maxVcpuId + 1;
    const out = new Map<number, string>();
    for (let i = 0; i < n; i++) {
      const v = this.xenstore.read(`/local/domain/${domid}/cpu/${i}/availability`);
      if (v !== undefined) out.set(i, v);
    }
    return out;
  }

  /**
   * Dom0 has no guest model here; its Linux answers the availability watch
   * (drivers/xen/cpu_hotplug.c) with VCPUOP_up / VCPUOP_down, so the toolstack runs the
   * guests' hotplug driver (engine/guest/vcpu-hotplug.ts) for it, at once. `xl vcpu-set
   * 0 N` and `xl cpupool-numa-split` rely on it.
   */
  private dom0VcpuHotplug(): void {
    this.dom0Hotplug ??= new VcpuHotplug({
      up: (vcpu) => void this.xen.hypercall({ op: 'vcpu_op.up', domid: 0, vcpu }),
      down: (vcpu) => void this.xen.hypercall({ op: 'vcpu_op.down', domid: 0, vcpu }),
      isUp: (vcpu) => this.xen.hypercall({ op: 'domctl.getvcpuinfo', domid: 0 })[vcpu]?.online === true,
      maxVcpus: this.info(0).maxVcpuId + 1,
      whenRunning: (fn) => fn(),
      log: (line) => this.log(`Domain-0: ${line}`),
    });
    this.dom0Hotplug.availabilityChanged(this.vcpuAvailability(0));
  }

  /**
   * A guest's own xenbus connection (it acts as its domid, unprivileged): in process, or
   * over the host's xenstored socket (HostXenstore.xenbus); it opens once the toolstack
   * has written the domain's layout.
   */
  private async guestXenbus(domid: number): Promise<XsClient> {
    return this.xenstore.xenbus(domid);
  }

  /** `xl console`: the guest's console, output and input. */
  async console(ref: DomainRef): Promise<ConsoleStream> {
    const domid = this.resolve(ref);
    if (domid === 0) return new HypervisorConsole(this.xen.conring, this.dom0Tty());
    const g = this.guests.get(domid);
    if (!g) throw new ToolstackError('ENOENT', `Domain ${domid} has no console this host can attach to`);
    return g.console.attach();
  }

  /** The guest model of a domain (tests, benchmarks); dom0's once its console was opened. */
  guestOf(ref: DomainRef): Guest | undefined {
    const domid = this.resolve(ref);
    return domid === 0 ? this.dom0Tty_?.guest : this.guests.get(domid)?.guest;
  }

  /**
   * Dom0's Linux on its console (./dom0-tty.ts): the guest model in its hardware-domain
   * mode, made when its console is first opened (no boot to replay: it came up with the
   * host). Its hostname is the host's, as `xl info` reports it.
   */
  private dom0Tty(): Dom0Tty {
    this.dom0Tty_ ??= new Dom0Tty(
      new Guest(
        {
          clock: this.xen.clock,
          hardware: () => ({ ...guestHardware(this.info(0), this.preset, undefined), name: this.hostname }),
          shutdown: () => undefined, // never asked: the hardware-domain mode refuses to stop
          cpuTimeNs: () => this.info(0).cpuTime,
          vcpuRunstates: () => (this.xen.hypercall({ op: 'sim.sched_metrics', domid: 0, vcpus: true, pools: false }).vcpus ?? []).filter((v) => v.domid === 0).map((v) => v.runstate),
          setWorkload: (vcpu, workload) => this.xen.hypercall({ op: 'sim.set_workload', domid: 0, vcpu, workload }),
          xenbus: async () => this.xenstore.dom0Xenbus() ?? this.guestXenbus(0),
          dom0Tools: () => (this.dom0Tools_ ??= this.makeDom0Tools?.(this)),
        },
        { hardwareDomain: true },
      ),
    );
    return this.dom0Tty_;
  }

  /** Advance the simulated clock (the GUI paces it to wall time; tests step it). */
  advanceClock(ns: number): void {
    this.xen.clock.runFor(ns);
  }

  async destroy(ref: DomainRef): Promise<void> {
    this.destroyNow(this.resolve(ref));
  }

  private destroyNow(domid: number): void {
    if (domid === 0) throw new ToolstackError('EINVAL', 'Domain-0 cannot be destroyed');
    const name = this.info(domid).name;
    this.call(() => this.xen.hypercall({ op: 'domctl.destroydomain', domid }));
    this.xenstore.domainDestroyed(domid);
    this.configs.delete(domid);
    if (this.names.get(name) === domid) this.names.delete(name);
    const g = this.guests.get(domid);
    g?.guest.stop();
    g?.console.close('domain destroyed');
    this.guests.delete(domid);
    this.emit({ kind: 'domain.destroyed', hostId: this.id, domid, name });
  }

  async dmesg(opts: { clear?: boolean } = {}): Promise<string> {
    return this.xen.hypercall({ op: 'sysctl.readconsole', clear: opts.clear ?? false }).text;
  }

  /**
   * libxl_send_debug_keys (XEN_SYSCTL_debug_keys). xl passes one argument; an empty one
   * is refused here as a clear error rather than a silent no-op.
   */
  async debugKeys(keys: string): Promise<void> {
    checkDebugKeys(keys);
    this.xen.hypercall({ op: 'sysctl.debug_keys', keys });
  }

  /** The config a domain was created from (`xl list -l` / the GUI's config view). */
  configOf(ref: DomainRef): Readonly<KeptConfig> | undefined {
    return this.configs.get(this.resolve(ref));
  }

  async sample(): Promise<HostSample> {
    // the pCPUs only: each domain's figures (wake-up percentiles...) would cost 10,000 summaries a second
    const m = this.xen.hypercall({ op: 'sim.sched_metrics', pcpus: true, domains: false, pools: false });
    return {
      nowNs: this.xen.clock.now,
      pcpuBusyNs: (m.pcpus ?? []).map((p) => p.busyNs),
      pcpuPool: (m.pcpus ?? []).map((p) => p.poolId),
      ...domainCpuColumns(this.infos()),
    };
  }

  async domainSample(ref: DomainRef): Promise<DomainSample> {
    const domid = this.resolve(ref);
    const m = this.xen.hypercall({ op: 'sim.sched_metrics', domid, pools: false }).domains[0]!;
    return { nowNs: this.xen.clock.now, cpuNs: m.cpuTime, runstateNs: { ...m.runstate }, wakeP99Ns: m.wakeLatency.p99, deadlineMisses: m.deadlineMisses };
  }

  async xenstoreList(path: string): Promise<XenstoreListing> {
    try {
      return await this.xenstore.list(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new ToolstackError(code === 'ENOENT' ? 'ENOENT' : 'EINVAL', `xenstore ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  watchXenstore(path: string, fire: (eventPath: string) => void): () => void {
    return this.xenstore.watch(path, fire);
  }

  async cpuPolicy(ref?: DomainRef): Promise<CpuPolicySummary> {
    if (ref === undefined) return this.xen.hypercall({ op: 'sysctl.get_cpu_policy', index: 'host' });
    const domid = this.resolve(ref);
    return this.call(() => this.xen.hypercall({ op: 'domctl.get_cpu_policy', domid }));
  }

  async topology(): Promise<HostTopology> {
    const t = this.xen.topology;
    return {
      sockets: t.sockets,
      coresPerSocket: t.coresPerSocket,
      threadsPerCore: t.threadsPerCore,
      nrNodes: t.nrNodes,
      cpus: Array.from({ length: t.nrCpus }, (_, cpu) => ({ cpu, socket: t.cpuSocket[cpu]!, core: t.cpuCore[cpu]!, node: t.cpuNode[cpu]! })),
      nodes: this.xen.hypercall({ op: 'sysctl.numainfo' }).map((n) => ({
        node: n.node,
        memoryMiB: Math.floor((n.memsizePages * PAGE_KIB) / 1024),
        freeMiB: Math.floor((n.memfreePages * PAGE_KIB) / 1024),
        distances: n.distances,
      })),
    };
  }

  /** What the config reader needs of this host: its pCPUs and the pCPUs of each NUMA node. */
  private configHost(): ConfigHostFacts {
    const t = this.xen.topology;
    return { nrCpus: t.nrCpus, nodeCpus: Array.from({ length: t.nrNodes }, (_, node) => t.cpusOfNode(node)) };
  }

  /** `xl block-list` / `xl network-list`: the vbds and vifs the domain's config gave it, as xenstore has them now. */
  async domainDevices(ref: DomainRef): Promise<DomainDevices> {
    const domid = this.resolve(ref);
    const kept = this.configs.get(domid);
    if (!kept) return { disks: [], nics: [] };
    return readDomainDevices(domid, devicesForLayout(kept.buildInfo, this.info(domid).uuid), (paths) => this.xenstore.readLive(paths));
  }

  async domainConfigText(ref: DomainRef): Promise<{ text: string; file: string } | null> {
    const k = this.configOf(ref);
    return k ? { text: k.text, file: k.file } : null;
  }

  async vcpuList(ref?: DomainRef): Promise<VcpuSummary[]> {
    const doms = ref === undefined ? this.infos() : [this.info(this.resolve(ref))];
    return doms.flatMap((d) => this.pools.vcpus(d.domid, d.name));
  }

  async listCpupools(): Promise<CpupoolSummary[]> {
    return this.pools.list();
  }

  async createCpupool(name: string, sched: SchedulerNameT, cpus: number[]): Promise<CpupoolSummary> {
    const p = this.pools.create(name, sched, cpus);
    this.log(`cpupool ${name} created (${sched}, cpus ${cpus.join(',') || 'none'})`);
    return p;
  }

  async destroyCpupool(pool: string): Promise<void> {
    this.pools.destroy(pool);
    this.log(`cpupool ${pool} destroyed`);
  }

  async cpupoolAddCpus(pool: string, cpus: number[]): Promise<void> {
    this.pools.addCpus(pool, cpus);
    this.log(`cpu ${cpus.join(',')} added to cpupool ${pool}`);
  }

  async cpupoolRemoveCpus(pool: string, cpus: number[]): Promise<void> {
    this.pools.removeCpus(pool, cpus);
    this.log(`cpu ${cpus.join(',')} removed from cpupool ${pool}`);
  }

  async renameCpupool(pool: string, name: string): Promise<void> {
    this.pools.rename(pool, name);
    this.log(`cpupool ${pool} renamed ${name}`);
  }

  async migrateToCpupool(ref: DomainRef, pool: string): Promise<void> {
    const domid = this.resolve(ref);
    this.pools.migrate(domid, pool);
    this.changed(domid);
  }

  async domainSched(ref: DomainRef): Promise<DomainSchedInfo> {
    return this.pools.domainSched(this.resolve(ref));
  }

  async setDomainSched(ref: DomainRef, params: DomainSchedParamsT, expect?: SchedulerNameT): Promise<void> {
    this.pools.setDomainSched(this.resolve(ref), params, expect);
  }

  async poolSched(pool: string): Promise<PoolSchedInfoT> {
    return this.pools.poolSched(pool);
  }

  async setPoolSched(pool: string, params: PoolSchedParamsT): Promise<void> {
    this.pools.setPoolSched(pool, params);
  }

  /**
   * libxl__domain_rename (tools/libs/light/libxl_domain.c): a name another domain has is
   * refused ("Domain with name "X" already exists."); its own name is fine. The nodes
   * /local/domain/N/name and /vm/<uuid>/name change in one transaction; the kept config
   * gets the new name (libxl keeps d_config's c_info.name in step), so a restart and the
   * lab's xl.cfg file use it.
   */
  async renameDomain(ref: DomainRef, newName: string): Promise<void> {
    const domid = this.resolve(ref);
    const info = this.info(domid);
    if (newName === '') throw new ToolstackError('EINVAL', 'New domain name not specified', 'XenDeck keeps every domain named (libxl would accept an empty name)');
    const other = this.domidOfName(newName) ?? this.infos().find((d) => d.name === newName)?.domid;
    if (other !== undefined && other !== domid) {
      throw new ToolstackError('EINVAL', `Domain with name "${newName}" already exists.`, 'Choose another name');
    }
    if (newName === info.name) return;
    this.xenstore.write({ [`/local/domain/${domid}/name`]: newName, ...(domid === 0 ? {} : { [`/vm/${info.uuid}/name`]: newName }) });
    this.xen.hypercall({ op: 'sim.set_name', domid, name: newName });
    if (this.names.get(info.name) === domid) this.names.delete(info.name);
    this.names.set(newName, domid);
    const kept = this.configs.get(domid);
    if (kept) {
      this.configs.set(domid, { ...kept, text: renamedConfigText(kept.text, newName), buildInfo: { ...kept.buildInfo, c_info: { ...kept.buildInfo.c_info, name: newName } } });
    }
    this.emit({ kind: 'domain.changed', hostId: this.id, domain: this.toSummary(this.info(domid)), previousName: info.name });
  }

  async setMemoryTarget(ref: DomainRef, targetKiB: number): Promise<void> {
    const domid = this.resolve(ref);
    setMemoryTarget(this, domid, targetKiB);
    if (domid === 0) {
      // dom0 has no guest model: its Linux balloon driver is played here, on the host's clock
      this.dom0Balloon ??= new BalloonDriver({ ...this.balloonMemory(0), after: (ns, fn) => this.xen.clock.after(ns, fn) });
      this.dom0Balloon.setTargetKiB(targetKiB);
    } else this.guests.get(domid)?.guest.balloon?.setTargetKiB(targetKiB);
    this.changed(domid);
  }

  /** A balloon driver's XENMEM_* calls for a domain (the guest's, or dom0's played by the toolstack). */
  private balloonMemory(domid: number): Omit<BalloonPlatform, 'after'> {
    return {
      pageKiB: PAGE_KIB,
      totPages: () => this.info(domid).totPages,
      // Xen fills extents one by one and returns how many it did: up to max_pages and the free heap
      populate: (pages) => {
        const d = this.info(domid);
        const n = Math.min(pages, d.maxPages - d.totPages, this.xen.heap.freePages());
        return n > 0 ? this.xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: n }).pages : 0;
      },
      decrease: (pages) => this.xen.hypercall({ op: 'memory_op.decrease_reservation', domid, pages }).pages,
      // the domain's size changed without a toolstack call: say so once the balloon rests
      settled: () => this.changed(domid),
    };
  }

  async setOnlineVcpus(ref: DomainRef, count: number): Promise<void> {
    const domid = this.resolve(ref);
    setOnlineVcpus(this, domid, count);
    const g = this.guests.get(domid)?.guest;
    if (g && g.state !== 'down') g.vcpuHotplug?.availabilityChanged(this.vcpuAvailability(domid));
    else if (domid === 0) this.dom0VcpuHotplug();
    this.changed(domid);
  }

  async setVcpuSched(ref: DomainRef, vcpus: VcpuSchedParamsT[]): Promise<void> {
    this.pools.setVcpuSched(this.resolve(ref), vcpus);
  }

  subscribe(listener: (e: ToolstackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.xenstore.close();
  }

  /** libxl_domain_qualifier_to_domid: digits are a domid, anything else a name. */
  resolve(ref: DomainRef): number {
    const asNumber = typeof ref === 'number' ? ref : /^\d+$/.test(ref) ? Number(ref) : undefined;
    if (asNumber !== undefined) {
      try {
        this.xen.hypercall({ op: 'domctl.getdomaininfo', domid: asNumber });
      } catch {
        throw new ToolstackError('ESRCH', `Domain ${asNumber}:Non-existant domain`, 'xl list shows the domains of this host');
      }
      return asNumber;
    }
    const hit = this.domidOfName(String(ref)) ?? this.infos().find((d) => d.name === ref)?.domid;
    if (hit === undefined) throw new ToolstackError('EINVAL', `${ref} is an invalid domain identifier (rc=-6)`, 'xl list shows the domains of this host');
    return hit;
  }

  /** The domid a name belongs to, from the name index, checked against the hypervisor. */
  private domidOfName(name: string): number | undefined {
    const domid = this.names.get(name);
    if (domid === undefined) return undefined;
    try {
      if (this.xen.hypercall({ op: 'domctl.getdomaininfo', domid }).name === name) return domid;
    } catch {
      // gone without the toolstack (e.g. destroyed by the hypervisor): forget it
    }
    this.names.delete(name);
    return undefined;
  }

  /** XEN_SYSCTL_getdomaininfolist as libxenstat reads it (xentop), with the host's clock then. */
  async domainInfoList(): Promise<{ nowNs: number; domains: DomainInfo[] }> {
    return { nowNs: this.xen.clock.now, domains: this.infos() };
  }

  private infos(): DomainInfo[] {
    return this.xen.hypercall({ op: 'sysctl.getdomaininfolist' });
  }

  private info(domid: number): DomainInfo {
    return this.call(() => this.xen.hypercall({ op: 'domctl.getdomaininfo', domid }));
  }

  private toSummary(d: DomainInfo): DomainSummary {
    return toDomainSummary(d, (id) => this.pools.nameOf(id), this.targetKiB(d.domid));
  }

  /** memory/target of a domain (dom0 has none until someone sets one: libxl fills it in then). */
  private targetKiB(domid: number): number | undefined {
    const t = this.xenstore.read(`/local/domain/${domid}/memory/target`);
    return t === undefined || !/^\d+$/.test(t) ? undefined : Number(t);
  }

  private call<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw ToolstackError.from(e);
    }
  }

  private changed(domid: number): void {
    this.emit({ kind: 'domain.changed', hostId: this.id, domain: this.toSummary(this.info(domid)) });
  }

  private log(message: string): void {
    this.emit({ kind: 'host.log', hostId: this.id, level: 'info', message });
  }

  private emit(e: ToolstackEvent): void {
    for (const l of this.listeners) l(e);
  }
}
