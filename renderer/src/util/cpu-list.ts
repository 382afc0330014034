/**
 * xl's CPU list syntax (xl.cfg(5) "cpus"): "all", N, N-M, and ^N / ^N-M to take pCPUs
 * out again, comma separated, applied left to right. The affinity editor parses it in
 * the browser so a typo is named before anything is sent.
 */
export function parseCpuList(text: string, nrCpus: number): number[] {
  const on = new Set<number>();
  const t = text.trim();
  if (t === '') throw new Error('empty CPU list (use "all" for every pCPU)');
  for (const raw of t.split(',')) {
    const item = raw.trim();
    const neg = item.startsWith('^');
    const body = neg ? item.slice(1) : item;
    let lo: number;
    let hi: number;
    if (body === 'all') {
      lo = 0;
      hi = nrCpus - 1;
    } else {
      const m = /^(\d+)(?:-(\d+))?$/.exec(body);
      if (!m) throw new Error(`"${item}" is not a pCPU, a range N-M or all`);
      lo = Number(m[1]);
      hi = m[2] === undefined ? lo : Number(m[2]);
      if (hi < lo) throw new Error(`range ${body} runs backwards`);
      if (hi >= nrCpus) throw new Error(`pCPU ${hi} does not exist (this host has 0-${nrCpus - 1})`);
    }
    for (let c = lo; c <= hi; c++) {
      if (neg) on.delete(c);
      else on.add(c);
    }
  }
  if (on.size === 0) throw new Error(`"${text}" leaves no pCPU`);
  return [...on].sort((a, b) => a - b);
}

/** The other way: sorted pCPU numbers as xl prints a CPU list ("0-17,36-53"). */
export function formatCpuList(cpus: readonly number[]): string {
  const s = [...cpus].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j]! + 1) j++;
    parts.push(j === i ? `${s[i]}` : `${s[i]}-${s[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
