/**
 * `npm run bench -- save`: xl save and xl restore of a 4 GiB PV guest with 1 GiB written
 * (262,144 pages of data, the other 786,432 pages never written and sent as XALLOC), on
 * the embedded host, to and from a file in the temp folder. Prints MB/s of the file and
 * of guest memory, and checks a sample of pages came back byte for byte.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedHost } from '../../engine/toolstack/embedded-host';

const GUEST_MIB = 4096;
const WRITTEN_PAGES = 262_144; // 1 GiB
const dir = mkdtempSync(join(tmpdir(), 'xendeck-bench-save-'));
const file = join(dir, 'big.save');

const h = new EmbeddedHost({ id: 'bench', preset: 'small-lab', seed: 1 });
const { domid } = await h.createDomain({ configText: `name="big"\ntype="pv"\nmemory=${GUEST_MIB}\nvcpus=4\n` });
const fm = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: domid! });
const page = new Uint8Array(4096);
const totalPages = (GUEST_MIB * 1024) / 4;
const stride = totalPages / WRITTEN_PAGES;
const tw = performance.now();
for (let i = 0; i < WRITTEN_PAGES; i++) {
  new DataView(page.buffer).setUint32(0, i, true);
  page[4095] = i & 0xff;
  fm.write(i * stride, 0, page);
}
const writeMs = performance.now() - tw;

const ts = performance.now();
const saved = await h.save(domid!, file);
const saveMs = performance.now() - ts;
const bytes = statSync(file).size;

const tr = performance.now();
const restored = await h.restore(file);
const restoreMs = performance.now() - tr;

const fr = h.xen.hypercall({ op: 'privcmd.map_foreign', domid: restored.domid });
let mismatches = 0;
for (let i = 0; i < WRITTEN_PAGES; i += 997) {
  const p = fr.read(i * stride);
  if (new DataView(p.buffer).getUint32(0, true) !== i || p[4095] !== (i & 0xff)) mismatches++;
}
rmSync(dir, { recursive: true, force: true });

const mb = (n: number): number => n / 1e6;
console.log(`guest_mib: ${GUEST_MIB}`);
console.log(`pages_written: ${WRITTEN_PAGES}`);
console.log(`guest_write_ms: ${writeMs.toFixed(0)}`);
console.log(`save_file_mib: ${(bytes / 2 ** 20).toFixed(1)}`);
console.log(`save_ms: ${saveMs.toFixed(0)}`);
console.log(`save_file_mb_per_s: ${(mb(bytes) / (saveMs / 1000)).toFixed(0)}`);
console.log(`save_guest_mb_per_s: ${(mb(GUEST_MIB * 2 ** 20) / (saveMs / 1000)).toFixed(0)}`);
console.log(`restore_ms: ${restoreMs.toFixed(0)}`);
console.log(`restore_file_mb_per_s: ${(mb(bytes) / (restoreMs / 1000)).toFixed(0)}`);
console.log(`pages_in_image: ${saved.pages} (data ${saved.dataPages})`);
console.log(`sampled_page_mismatches: ${mismatches}`);
