/**
 * `xl uptime [-s]`: print_uptime() and uptime_to_string() of tools/xl/xl_info.c.
 * Long form "%-33s %4d %s" under "Name ID Uptime", the time as "%2d:%02d:%02d" with
 * "N day(s), " in front past a day; short form " HH:MM:SS up <uptime>, NAME (ID)" with
 * minutes only.
 */
export function uptimeToString(seconds: number, short: boolean): string {
  let up = Math.floor(seconds);
  const day = Math.floor(up / 86400);
  up -= day * 86400;
  const hour = Math.floor(up / 3600);
  up -= hour * 3600;
  const min = Math.floor(up / 60);
  const sec = up - min * 60;
  const hm = `${String(hour).padStart(2)}:${String(min).padStart(2, '0')}`;
  const clock = short ? hm : `${hm}:${String(sec).padStart(2, '0')}`;
  if (day > 1) return `${day} days, ${clock}`;
  if (day === 1) return `${day} day, ${clock}`;
  return clock;
}

export interface UptimeRow {
  name: string;
  domid: number;
  uptimeS: number;
}

export function uptimeLong(rows: readonly UptimeRow[]): string {
  return `${'Name'.padEnd(33)} ${'ID'.padStart(4)} Uptime\n` + rows.map((r) => `${r.name.padEnd(33)} ${String(r.domid).padStart(4)} ${uptimeToString(r.uptimeS, false)}\n`).join('');
}

/** Short form: `now` is the host's time of day as "HH:MM:SS" (current_time_to_string). */
export function uptimeShort(rows: readonly UptimeRow[], now: string): string {
  return rows.map((r) => ` ${now} up ${uptimeToString(r.uptimeS, true)}, ${r.name} (${r.domid})\n`).join('');
}
