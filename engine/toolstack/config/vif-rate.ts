/**
 * A vif's `rate=` (tools/libs/util/libxlu_vif.c xlu_vif_parse_rate,
 * docs/man/xl-network-configuration.5.pod): RATE/s[@INTERVAL], RATE digits with an
 * optional G/M/K and B (bytes) or b (bits, divided by 8); INTERVAL digits with us, ms or
 * s (no unit: seconds), default 50 ms. libxl keeps bytes per interval and the interval.
 */

export interface VifRate {
  rate_bytes_per_interval: number;
  rate_interval_usecs: number;
}

export type VifRateParse = { ok: true; rate: VifRate } | { ok: false; errno: 'EINVAL' | 'EOVERFLOW'; message: string };

const UINT32_MAX = 0xffffffff;
const UINT64_MAX = 2n ** 64n - 1n;

/** Message after "<file>: ", as xlu__vif_err prints it. */
const vifErr = (msg: string, what: string): string => `config parsing error in vif: ${msg} in \`${what}'`;

export function parseVifRate(rate: string): VifRateParse {
  const at = rate.indexOf('@');
  const bytes = at < 0 ? rate : rate.slice(0, at);
  const interval = at < 0 ? undefined : rate.slice(at + 1);
  if (bytes === '') return { ok: false, errno: 'EINVAL', message: vifErr('no rate specified', rate) };
  if (!/^[0-9]+[GMK]?[Bb]\/s$/.test(bytes)) return { ok: false, errno: 'EINVAL', message: vifErr('invalid rate', bytes) };
  // strtoull(p, &p, 0): a leading 0 makes it octal, so "010Mb/s" is 8 Mbit/s and "08Mb/s" stops at the 8
  const num = /^0[0-7]*|^[0-9]+/.exec(bytes)![0];
  let v = BigInt(num.length > 1 && num.startsWith('0') ? `0o${num.slice(1)}` : num);
  if (v === 0n || v > BigInt(UINT32_MAX)) return { ok: false, errno: 'EOVERFLOW', message: vifErr('rate overflow', bytes) };
  const p = bytes.slice(num.length);
  if (p[0] === 'G') v *= 1000n * 1000n * 1000n;
  else if (p[0] === 'M') v *= 1000n * 1000n;
  else if (p[0] === 'K') v *= 1000n;
  if (p[0] === 'b' || p[1] === 'b') v /= 8n;
  let usecs = 50000n;
  if (interval !== undefined) {
    if (!/^[0-9]+[mu]?s?$/.test(interval)) return { ok: false, errno: 'EINVAL', message: vifErr('invalid replenishment interval', interval) };
    const inum = /^0[0-7]*|^[0-9]+/.exec(interval)![0];
    let t = BigInt(inum.length > 1 && inum.startsWith('0') ? `0o${inum.slice(1)}` : inum);
    if (t === 0n || t > BigInt(UINT32_MAX)) return { ok: false, errno: 'EOVERFLOW', message: vifErr('replenishment interval overflow', interval) };
    const q = interval.slice(inum.length);
    if (q[0] === 's' || q === '') t *= 1000n * 1000n;
    else if (q[0] === 'm') t *= 1000n;
    if (t > BigInt(UINT32_MAX)) return { ok: false, errno: 'EOVERFLOW', message: vifErr('replenishment interval overflow', interval) };
    usecs = t;
  }
  if (usecs !== 0n && v > UINT64_MAX / usecs) return { ok: false, errno: 'EOVERFLOW', message: vifErr('rate overflow', rate) };
  return { ok: true, rate: { rate_bytes_per_interval: Number((v * usecs) / 1000000n), rate_interval_usecs: Number(usecs) } };
}
