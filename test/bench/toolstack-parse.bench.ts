/**
 * `npm run bench -- toolstack-parse`: xl.cfg files parsed per second (issue 5 target:
 * at least 10,000/s), over the fixture set of test/fixtures/xlcfg (good and bad files);
 * and whole configs read to libxl's domain config (disks, vifs, pci, cpus, HVM keys ...)
 * per second, over the configs of test/fixtures/xlcfg/dry-run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseXlCfg } from '../../engine/toolstack/config';
import { parseDomainConfig } from '../../engine/toolstack/domain-build-info';

const cases = JSON.parse(readFileSync('test/fixtures/xlcfg/cases.json', 'utf8')) as { name: string; text: string }[];
const good = cases.filter((c) => parseXlCfg(c.text, c.name).errors.length === 0);

function rate(set: { name: string; text: string }[], ms: number): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const c of set) parseXlCfg(c.text, c.name);
    n += set.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

rate(cases, 200); // warm up the JIT
console.log(`configs: ${cases.length} (${good.length} valid)`);
console.log(`parse_all_per_s: ${Math.round(rate(cases, 1000))}`);
console.log(`parse_valid_per_s: ${Math.round(rate(good, 1000))}`);

const DRY = 'test/fixtures/xlcfg/dry-run';
const full = readdirSync(DRY)
  .filter((f) => f.endsWith('.cfg'))
  .map((f) => ({ name: f, text: readFileSync(`${DRY}/${f}`, 'utf8') }));
function semanticRate(ms: number): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (const c of full) parseDomainConfig(c.text, c.name);
    n += full.length;
  }
  return n / ((performance.now() - t0) / 1000);
}
semanticRate(200);
console.log(`semantic_configs: ${full.length}`);
console.log(`semantic_per_s: ${Math.round(semanticRate(1000))}`);
