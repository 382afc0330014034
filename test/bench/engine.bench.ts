/**
 * `npm run bench -- engine`: boot the 4095-pCPU x2APIC preset and create 10,000 small
 * domains (issue 3 targets: under 2 s and under 1 GiB), then hypercalls per second.
 */
import { Xen } from '../../engine/hypervisor/xen';
import { findPreset } from '../../engine/hypervisor/host-presets';

const preset = findPreset('x2apic-4095')!;
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const heap0 = process.memoryUsage().heapUsed;
let peak = 0;
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().rss);
};

const t0 = performance.now();
const xen = Xen.boot({ seed: 1, topology: preset.topology, cpuMhz: preset.cpuMhz });
const tBoot = performance.now() - t0;
for (let i = 0; i < 10_000; i++) {
  const { domid } = xen.hypercall({ op: 'domctl.createdomain', type: 'pvh', maxVcpus: 1, name: `vm${i}` });
  xen.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 65536 }); // 256 MiB
  if (i % 1000 === 0) sample();
}
const tCreate = performance.now() - t0;
sample();

let n = 0;
const t1 = performance.now();
while (performance.now() - t1 < 1000) {
  for (let i = 0; i < 1000; i++) xen.hypercall({ op: 'domctl.getdomaininfo', domid: 1 + (i % 10_000) });
  n += 1000;
}
const hps = n / ((performance.now() - t1) / 1000);

console.log(`pcpus: ${xen.topology.nrCpus}`);
console.log(`boot_ms: ${tBoot.toFixed(1)}`);
console.log(`boot_and_create_10000_domains_ms: ${tCreate.toFixed(1)}`);
console.log(`peak_rss_mib: ${(peak / 2 ** 20).toFixed(0)}`);
console.log(`heap_growth_mib: ${((process.memoryUsage().heapUsed - heap0) / 2 ** 20).toFixed(0)}`);
console.log(`getdomaininfo_hypercalls_per_s: ${Math.round(hps)}`);

// Guest memory contents: a 1 TiB PV guest on a 2 TiB host, 4096 pages written at random
// gfns through a foreign mapping (sparse contents: only those pages cost host memory),
// then log-dirty over it (issue 3: "a 1 TiB guest costs little host RAM").
{
  gc?.();
  const big = Xen.boot({ seed: 2, topology: { sockets: 2, coresPerSocket: 4, threadsPerCore: 1, memoryMiB: 2 * 1024 * 1024, x2apic: true } });
  const { domid } = big.hypercall({ op: 'domctl.createdomain', type: 'pv', maxVcpus: 1, name: 'tib' });
  const tPop = performance.now();
  big.hypercall({ op: 'memory_op.populate_physmap', domid, pages: 2 ** 28 }); // 1 TiB
  const popMs = performance.now() - tPop;
  const rss0 = process.memoryUsage().rss;
  const fm = big.hypercall({ op: 'privcmd.map_foreign', domid });
  big.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'enable_logdirty' });
  const page = new Uint8Array(4096).fill(0xa5);
  const nWrites = 4096;
  const tW = performance.now();
  for (let i = 0; i < nWrites; i++) fm.write((i * 2654435761) % 2 ** 28, 0, page);
  const wMs = performance.now() - tW;
  const tC = performance.now();
  const { stats } = big.hypercall({ op: 'domctl.shadow_op', domid, shadowOp: 'clean' });
  const cleanMs = performance.now() - tC;
  console.log(`tib_guest_populate_ms: ${popMs.toFixed(1)}`);
  console.log(`tib_guest_pages_written: ${nWrites}`);
  console.log(`tib_guest_contents_mib: ${(big.frames.bytesHeld / 2 ** 20).toFixed(1)}`);
  console.log(`tib_guest_rss_growth_mib: ${((process.memoryUsage().rss - rss0) / 2 ** 20).toFixed(0)}`);
  console.log(`tib_guest_page_writes_per_s: ${Math.round(nWrites / (wMs / 1000))}`);
  console.log(`tib_guest_logdirty_clean_ms: ${cleanMs.toFixed(1)} (dirty_count ${stats.dirtyCount})`);
}
