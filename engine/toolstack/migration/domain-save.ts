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
import { writeLibxcStream, type SaveProgress } from './libxc-save';
import { writeLibxcContext, writeLibxlEnd, writeLibxlHeader } from './libxl-stream';
import { openSaveFileForWrite } from './save-file';
import { savedConfigJson } from './saved-config';
import { writeXlSaveHeader } from './xl-save-header';

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
  resume(domid: number): void;
  destroyNow(domid: number): void;
}

export function saveDomain(host: SaveHostView, domid: number, file: string, opts: SaveOptions = {}): SaveResult {
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
    const vcpus = xen.hypercall({ op: 'domctl.getvcpuinfo', domid });
    log.push(writeXlSaveHeader(w, savedConfigJson(d, b, vcpus.filter((v) => v.online).map((v) => v.vcpu)), file));
    writeLibxlHeader(w);
    writeLibxcContext(w);
    const mem = xen.hypercall({ op: 'privcmd.map_foreign', domid });
    const p2mRuns: [number, number][] = [];
    mem.forEachPopulated((g, n) => p2mRuns.push([g, n]));
    sent = writeLibxcStream(
      w,
      {
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
      },
      opts.progress,
    );
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
