/**
 * A vif's MAC when the config gives none. libxl__device_nic_setdefault picks three random
 * bytes after Xen's OUI 00:16:3e, clearing the top bit of the first (so the address stays
 * out of the range Xen reserves); XenDeck must be deterministic, so the three bytes are a
 * hash (FNV-1a) of the domain's uuid and the devid: the same domain gets the same MACs
 * every time it is created.
 */
export function defaultNicMac(uuid: string, devid: number): string {
  let h = 0x811c9dc5;
  for (const ch of `${uuid.toLowerCase()}/${devid}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const b = [(h >>> 16) & 0x7f, (h >>> 8) & 0xff, h & 0xff];
  return ['00', '16', '3e', ...b.map((x) => x.toString(16).padStart(2, '0'))].join(':');
}
