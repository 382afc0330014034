/**
 * `xl save` on the embedded host, in libxl's order (xl_saverestore.c save_domain,
 * libxl_domain_suspend → libxl_stream_write.c → xg_sr_save.c): the domain is suspended
 * (here: paused, its guest frozen — the simulated guest has no suspend path of its
 * own), the xl header with the config JSON goes out, then libxl's stream wrapping
 * libxc's, then the domain is destroyed — or, with -c (checkpoint), resumed, or with -p
 * left paused. A failed save removes the partial file and resumes the domain, as xl
 * does ("Failed to save domain, resuming domain"), leaving the host as it was.
 */
import { unlinkSync } from 'node:fs';
import { XEN_VERSION, type Xen } from '../../hypervisor/xen';
import { ToolstackError } from '../toolstack-error';
import type { DomainBuildInfoJson, DomainSummary } from '../types';
import { ByteWriter } from './byte-stream';
import { writeEndState, writePages, writeStaticData, type SaveProgress, type SaveSource } from './libxc-save';
import { MAX_BATCH_SIZE, REC, writeDomainHeader, writeImageHeader, writeRecord } from './libxc-format';
import { writeLibxcContext, writeLibxlEnd, writeLibxlHeader } from './libxl-stream';
import { openSaveFileForWrite } from './save-file';
import { savedConfigJson } from './saved-config';
import { writeXlSaveHeader } from './xl-save-header';
import type { VcpuRegisters } from '../../guest/vcpu-registers';

export interface SaveOptions {
  /** `xl save -c`: leave the domain running after the checkpoint. */
  checkpoint?: boolean;
  /** `xl save -p`: leave it paused instead of destroying it. */
  paused?: boolean;
  progress?: SaveProgress;
}

export interface SaveResult {
  file: string;
  bytes: number;
  /** Pfns in the image, and how many carried data (the rest were never written). */
  pages: number;
  dataPages: number;
  /** What xl prints on stderr while saving. */
  log: string[];
}

/** What the save needs of the embedded toolstack. */
export interface SaveHostView {
  readonly xen: Xen;
  domainNow(domid: number): DomainSummary;
  buildInfoOf(domid: number): DomainBuildInfoJson | undefined;
  /** Pause / unpause the domain and its guest model together. */
  suspend(domid: number): void;
  /**
   * The guest's own suspend (Linux's do_suspend): its state into its resume area, its
   * vCPUs' registers for the context records. Undefined without a guest model.
   */
  suspendGuest?(domid: number): VcpuRegisters[] | undefined;
  resume(domid: number): void;
  destroyNow(domid: number): void;
  /** Pages sent so far, of all (the toolstack's progress event). */
  progress?(domid: number, done: number, total: number): void;
}

/** PAGE_DATA records written between two turns of the event loop (and two progress reports). */
const BATCHES_PER_TURN = 64;

export async function saveDomain(host: SaveHostView, domid: number, file: string, opts: SaveOptions = {}): Promise<SaveResult> {
  if (domid === 0) throw new ToolstackError('EINVAL', 'Domain-0 cannot be saved');
  const d = host.domainNow(domid);
  const b = host.buildInfoOf(domid);
  if (!b) throw new ToolstackError('EINVAL', 'unable to retrieve domain configuration', `Domain ${domid} was not created by this toolstack`);
  const log: string[] = [];
  const xen = host.xen;
  const wasPaused = d.state.includes('p');
  const out = openSaveFileForWrite(file);
  const w = new ByteWriter(out.sink);
  if (!wasPaused) host.suspend(domid);
  let sent: { pages: number; dataPages: number };
  try {
    const registers = host.suspendGuest?.(domid);
    const vcpus = xen.hypercall({ op: 'domctl.getvcpuinfo', domid });
    log.push(writeXlSaveHeader(w, savedConfigJson(d, b, vcpus.filter((v) => v.online).map((v) => v.vcpu)), file));
    writeLibxlHeader(w);
    writeLibxcContext(w);
    const mem = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    const p2mRuns: [number, number][] = [];
    mem.forEachPopulated((g, n) => p2mRuns.push([g, n]));
    const src: SaveSource = {
      domid,
      type: d.type,
      xen: { major: XEN_VERSION.major, minor: XEN_VERSION.minor },
      cpuPolicy: xen.hypercall({ op: 'domctl.get_cpu_policy', domid }),
      vcpus: vcpus.map((v) => ({ id: v.vcpu, online: v.online })),
      tsc: { mode: 0, khz: xen.cpuKhz, nsec: xen.clock.now, incarnation: 0 },
      hvmParams: new Map(),
      memory: mem,
      forEachPopulated: (cb) => p2mRuns.forEach(([g, n]) => cb(g, n)),
      p2mSize: mem.gfnLimit,
      registers: (v) => registers?.[v],
    };
    // libxc's record order, with the memory sent a slice at a time so the
    // event loop turns between slices: progress reaches the GUI while the image is written
    writeImageHeader(w);
    writeDomainHeader(w, { type: d.type === 'pv' ? 'pv' : 'hvm', xenMajor: XEN_VERSION.major, xenMinor: XEN_VERSION.minor });
    writeStaticData(w, src);
    const pfns: number[] = [];
    src.forEachPopulated((g, n) => {
      for (let i = 0; i < n; i++) pfns.push(g + i);
    });
    sent = { pages: 0, dataPages: 0 };
    const slice = BATCHES_PER_TURN * MAX_BATCH_SIZE;
    for (let at = 0; at < pfns.length; at += slice) {
      const part = writePages(w, mem, pfns.slice(at, at + slice));
      sent.pages += part.pages;
      sent.dataPages += part.dataPages;
      opts.progress?.(sent.pages, pfns.length);
      host.progress?.(domid, sent.pages, pfns.length);
      if (at + slice < pfns.length) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    writeEndState(w, src);
    writeRecord(w, REC.END);
    writeLibxlEnd(w);
    w.flush();
    out.close();
  } catch (e) {
    try {
      out.close();
    } catch {
      // already closed
    }
    unlinkSync(file);
    log.push('Failed to save domain, resuming domain');
    if (!wasPaused) host.resume(domid);
    throw ToolstackError.from(e);
  }
  if (opts.checkpoint || opts.paused) {
    if (!opts.paused && !wasPaused) host.resume(domid);
  } else {
    host.destroyNow(domid);
  }
  return { file, bytes: w.written, pages: sent.pages, dataPages: sent.dataPages, log };
}
