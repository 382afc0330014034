/**
 * `xl restore` on the embedded host, in libxl's order (xl_vmcontrol.c create_domain
 * with a restore file → libxl_domain_create_restore → libxl_stream_read.c →
 * xg_sr_restore.c): read the xl header and its config, make the domain from that config
 * (paused, memory not populated: the stream brings it), read libxl's stream and the
 * libxc stream inside it into the domain, then unpause unless -p. Any error — a corrupt
 * or truncated file, a config the host cannot build, a CPU policy the host cannot give —
 * destroys the half-made domain, so the host is left as it was (libxl's
 * domcreate_complete does the same on failure).
 */
import type { CpuFeature } from '../../hypervisor/cpuid-policy';
import type { Xen } from '../../hypervisor/xen';
import { ToolstackError } from '../toolstack-error';
import { ByteReader, type ByteSource } from './byte-stream';
import { readLibxcStream, type RestoredState } from './libxc-restore';
import { nextLibxlSection, readLibxlHeader } from './libxl-stream';
import { openSaveFileForRead } from './save-file';
import { xlCfgFromSavedJson } from './saved-config';
import { streamError } from './stream-error';
import { readXlSaveHeader } from './xl-save-header';
import type { VcpuRegisters } from '../../guest/vcpu-registers';

export interface RestoreOptions {
  /** `xl restore -p`: leave the domain paused. */
  paused?: boolean;
  /** `xl restore CONFIG FILE`: use this xl.cfg text instead of the saved config. */
  configText?: string;
  progress?: (pages: number) => void;
}

export interface RestoreResult {
  domid: number;
  name: string;
  pages: number;
  dataPages: number;
  log: string[];
}

export interface RestoreHostView {
  readonly xen: Xen;
  /**
   * Create the domain from xl.cfg text, paused, calling `fill` instead of populating
   * its memory; on a throw from fill the domain is destroyed. `fill` returns each vCPU's
   * registers from the stream (the guest model resumes from them). Returns the domid.
   */
  createForRestore(configText: string, file: string, fill: (domid: number) => (VcpuRegisters | undefined)[]): { domid: number; name: string };
  resume(domid: number): void;
}

export function restoreDomainFromFile(host: RestoreHostView, file: string, opts: RestoreOptions = {}): RestoreResult {
  const f = openSaveFileForRead(file);
  try {
    return restoreDomain(host, f.source, file, opts);
  } finally {
    f.close();
  }
}

export function restoreDomain(host: RestoreHostView, source: ByteSource, sourceName: string, opts: RestoreOptions = {}): RestoreResult {
  const log: string[] = [];
  const r = new ByteReader(source);
  const hdr = readXlSaveHeader(r, sourceName, (l) => log.push(l));
  let text: string;
  let file: string;
  if (opts.configText !== undefined) {
    text = opts.configText;
    file = 'config';
  } else {
    if (hdr.configJson === undefined) throw new ToolstackError('EINVAL', 'Config file not specified and none in save file');
    text = xlCfgFromSavedJson(hdr.configJson);
    file = '<saved>';
  }
  log.push(`Parsing config from ${file}`);
  const xen = host.xen;
  let state: RestoredState | undefined;
  const made = host.createForRestore(text, file, (domid) => {
    readLibxlHeader(r);
    const section = nextLibxlSection(r);
    if (section !== 'libxc') throw streamError('libxl stream: no LIBXC_CONTEXT record before the end', r.offset);
    const info = xen.hypercall({ op: 'domctl.getdomaininfo', domid });
    const mem = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    state = readLibxcStream(
      r,
      {
        header: (h) => {
          const want = info.type === 'pv' ? 'pv' : 'hvm';
          if (h.type !== want) throw streamError(`the image is of an x86 ${h.type.toUpperCase()} guest, the config makes a ${info.type.toUpperCase()} one`);
        },
        populate: (pfns) => populateRuns(xen, domid, pfns, (p) => mem.mapped(p)),
        writePage: (pfn, data) => mem.write(pfn, 0, data),
        cpuid: (p) => {
          const host = xen.hypercall({ op: 'sysctl.get_cpu_policy', index: 'host' });
          if (p.vendor !== host.vendor) throw new ToolstackError('EINVAL', `the image was saved on a ${p.vendor} CPU, this host has a ${host.vendor} one`);
          xen.hypercall({ op: 'domctl.set_cpu_policy', domid, features: p.features as CpuFeature[] });
        },
      },
      opts.progress,
    );
    if (state.checkpoint) throw streamError('the image is a checkpoint stream (Remus / COLO), which xl restore does not take');
    if (nextLibxlSection(r) !== 'end') throw streamError('libxl stream: expected END after the libxc stream', r.offset);
    const online = state.vcpus.filter((v) => v.online).length;
    if (info.type === 'pv' && online > info.maxVcpuId + 1) throw streamError(`the image has ${online} online vCPUs, the config allows ${info.maxVcpuId + 1}`);
    const regs: (VcpuRegisters | undefined)[] = [];
    for (const v of state.vcpus) regs[v.id] = v.regs;
    return regs;
  });
  if (!opts.paused) host.resume(made.domid);
  return { domid: made.domid, name: made.name, pages: state!.pages, dataPages: state!.dataPages, log };
}

/** populate_physmap for the pfns not populated yet, one call per contiguous run. */
function populateRuns(xen: Xen, domid: number, pfns: readonly number[], mapped: (pfn: number) => boolean): void {
  let start = -1;
  let count = 0;
  const flush = (): void => {
    if (count > 0) xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: count, gfn: start });
    count = 0;
  };
  for (const p of pfns) {
    if (mapped(p)) {
      flush();
      continue;
    }
    if (count > 0 && p === start + count) count++;
    else {
      flush();
      start = p;
      count = 1;
    }
  }
  flush();
}
