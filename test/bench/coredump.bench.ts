/**
 * `npm run bench -- coredump`: xl dump-core of a 512 MiB PV guest with 128 MiB written
 * (32,768 pages of data; the other pages read as zeros and stay holes of the sparse
 * core file). Prints the time, the guest memory rate, the file's apparent size and the
 * disk it really takes, and checks a sample of pages read back from the file by pfn.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';
import { readXenCore } from '../../engine/toolstack/coredump/xc-core-reader';

const GUEST_MIB = 512;
const WRITTEN_PAGES = 32_768;
const dir = mkdtempSync(join(tmpdir(), 'xendeck-bench-core-'));
const file = join(dir, 'big.core');

const h = new EmbeddedHost({ id: 'bench', preset: 'small-lab', seed: 1 });
const { domid } = await h.createDomain({ configText: `name="big"\ntype="pv"\nmemory=${GUEST_MIB}\nvcpus=4\n`, paused: true });
const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! });
const page = new Uint8Array(4096);
const totalPages = (GUEST_MIB * 1024) / 4;
const stride = totalPages / WRITTEN_PAGES;
for (let i = 0; i < WRITTEN_PAGES; i++) {
  new DataView(page.buffer).setUint32(0, i, true);
  fm.write(i * stride, 0, page);
}

const t = performance.now();
const r = await h.coreDump(domid!, file);
const ms = performance.now() - t;
const st = statSync(file);

// read back (the file is 512 MiB apparent): the headers, and a sample of pages by pfn
let mismatches = 0;
if (st.size < 2 ** 31) {
  const core = readXenCore(readFileSync(file));
  for (let i = 0; i < WRITTEN_PAGES; i += 997) if (new DataView(core.page(i * stride)!.buffer, core.page(i * stride)!.byteOffset).getUint32(0, true) !== i) mismatches++;
}
rmSync(dir, { recursive: true, force: true });

console.log(`guest_mib: ${GUEST_MIB}`);
console.log(`pages_written: ${WRITTEN_PAGES}`);
console.log(`dump_ms: ${ms.toFixed(0)}`);
console.log(`dump_guest_mb_per_s: ${(GUEST_MIB * 2 ** 20 / 1e6 / (ms / 1000)).toFixed(0)}`);
console.log(`core_file_apparent_mib: ${(st.size / 2 ** 20).toFixed(1)}`);
console.log(`core_file_on_disk_mib: ${((st.blocks * 512) / 2 ** 20).toFixed(1)}`);
console.log(`pages_in_core: ${r.pages} (data ${r.dataPages})`);
console.log(`sampled_page_mismatches: ${st.size < 2 ** 31 ? mismatches : 'skipped (file over 2 GiB)'}`);
