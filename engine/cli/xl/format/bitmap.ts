/**
 * print_bitmap() of tools/xl/xl_utils.c: a cpumap as ranges ("0-3,6"), "all" when every
 * bit from 0 to the end is set, "none" when no bit is.
 */
export function printBitmap(cpus: readonly number[], nrBits: number): string {
  const set = new Set(cpus.filter((c) => c >= 0 && c < nrBits));
  if (set.size === 0) return 'none';
  if (set.size === nrBits) return 'all';
  const parts: string[] = [];
  for (let i = 0; i < nrBits; i++) {
    if (!set.has(i)) continue;
    let j = i;
    while (set.has(j + 1)) j++;
    parts.push(j > i ? `${i}-${j}` : `${i}`);
    i = j;
  }
  return parts.join(',');
}
