/**
 * Disk specification strings (`disk = [ "..." ]`, `xl block-attach`), as libxlutil's
 * flex scanner tools/libs/util/libxlu_disk_l.l reads them, documented in
 * docs/man/xl-disk-configuration.5.pod.
 *
 * The scanner is flex, so it matches the way flex does: at each point every rule is
 * tried, the longest match wins and a tie goes to the rule written first. Trailing
 * context (`pattern/context`) counts towards the length but is not consumed; that is
 * how the deprecated prefixes (`phy:`, `file:`, `tap:aio:`, `raw:` ...) beat the
 * positional parameters, and how `target=` swallows the rest of the spec, commas and
 * all. Positional parameters fill target, format, vdev, access in that order. After the
 * scan (libxlu_disk.c xlu_disk_parse): format defaults to raw, a cdrom is removable and
 * read-only (format "empty" without a target), a vdev is required and a target unless
 * the device is removable.
 *
 * As in libxlutil.so.4.17, `trusted` and `untrusted` are not flags (see RULES).
 *
 * Errors keep xl's wording ("config parsing error in disk specification: <what>: near
 * `<text>' in `<spec>'"); like the scanner, one spec can report several.
 */

export type DiskFormat = 'qcow' | 'qcow2' | 'vhd' | 'raw' | 'empty' | 'qed';
export type DiskBackend = 'phy' | 'tap' | 'qdisk' | 'standalone';
export type DiskSpecification = 'xen' | 'virtio';

/** libxl_device_disk as JSON: fields in libxl_types.idl order, defaults left out. */
export interface LibxlDiskJson {
  backend_domname?: string;
  pdev_path?: string;
  vdev?: string;
  backend?: DiskBackend;
  format?: DiskFormat;
  script?: string;
  removable?: number;
  readwrite?: number;
  is_cdrom?: number;
  direct_io_safe?: boolean;
  discard_enable?: 'True' | 'False';
  specification?: DiskSpecification;
  colo_enable?: 'True' | 'False';
  colo_host?: string;
  colo_port?: number;
  colo_export?: string;
  active_disk?: string;
  hidden_disk?: string;
  trusted?: 'True' | 'False';
}

export interface DiskParse {
  disk: LibxlDiskJson;
  /** The lines xl prints, after "<file>: " (empty when the spec is good). */
  errors: string[];
}

interface State {
  spec: string;
  d: Draft;
  errors: string[];
  hadDeprPrefix: boolean;
  accessSet: boolean;
}

/** The scanner's working copy; strings and enums unset are undefined (libxl's NULL / UNKNOWN). */
interface Draft {
  backend_domname?: string;
  pdev_path?: string;
  vdev?: string;
  backend?: DiskBackend;
  format?: DiskFormat;
  script?: string;
  readwrite: number;
  is_cdrom: number;
  direct_io_safe: boolean;
  discard_enable?: boolean;
  specification?: DiskSpecification;
  colo_enable?: boolean;
  colo_host?: string;
  colo_port?: number;
  colo_export?: string;
  active_disk?: string;
  hidden_disk?: string;
  trusted?: boolean;
}

type StrKey = 'backend_domname' | 'pdev_path' | 'vdev' | 'script' | 'colo_host' | 'colo_export' | 'active_disk' | 'hidden_disk';

function err(s: State, erroneous: string | undefined, message: string): void {
  s.errors.push(`config parsing error in disk specification: ${message}${erroneous !== undefined ? `: near \`${erroneous}'` : ''} in \`${s.spec}'`);
}

/** savestring(): a second non-empty value is an error, an empty one may be replaced. */
function saveString(s: State, what: string, key: StrKey, value: string): void {
  const cur = s.d[key];
  if (cur !== undefined && cur !== '') {
    err(s, value, `${what} respecified`);
    return;
  }
  s.d[key] = value;
}

/** DSET(): an enum set twice to different values is "<member> respecified". */
function dset<K extends 'format' | 'backend' | 'specification'>(s: State, member: K, str: string, v: NonNullable<Draft[K]>): void {
  if (s.d[member] !== undefined && s.d[member] !== v) err(s, str, `${member} respecified`);
  else s.d[member] = v;
}

function setAccess(s: State, str: string): void {
  if (str === 'r' || str === 'ro') s.d.readwrite = 0;
  else if (str === 'rw' || str === 'w' || str === '') s.d.readwrite = 1;
  else err(s, str, 'unknown value for access');
}

const FORMATS: Record<string, DiskFormat> = { '': 'raw', raw: 'raw', qcow: 'qcow', qcow2: 'qcow2', vhd: 'vhd', empty: 'empty', qed: 'qed' };

function setFormat(s: State, str: string): void {
  const f = FORMATS[str];
  if (f) dset(s, 'format', str, f);
  else err(s, str, 'unknown value for format');
}

function setBackendType(s: State, str: string): void {
  if (str === 'phy' || str === 'tap' || str === 'qdisk' || str === 'standalone') dset(s, 'backend', str, str);
  else err(s, str, 'unknown value for backendtype');
}

function setSpecification(s: State, str: string): void {
  if (str === 'xen' || str === 'virtio') dset(s, 'specification', str, str);
  else err(s, str, 'unknown value for specification');
}

/** setcoloport(): atoi, 0 refused. */
function setColoPort(s: State, str: string): void {
  const port = atoi(str);
  if (port) s.d.colo_port = port;
  else err(s, str, 'unknown value for colo_port');
}

/** C atoi: leading spaces, a sign, digits; 0 when none. */
export function atoi(str: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(str);
  return m ? Number.parseInt(m[1]!, 10) | 0 : 0;
}

/** vdev_and_devtype(): a positional "<vdev>:<devtype>" (deprecated). */
function vdevAndDevtype(s: State, str: string): boolean {
  const colon = str.lastIndexOf(':');
  if (colon < 0) return false;
  saveString(s, 'vdev', 'vdev', str.slice(0, colon));
  const t = str.slice(colon + 1);
  if (t === 'cdrom') s.d.is_cdrom = 1;
  else if (t === 'disk') s.d.is_cdrom = 0;
  else err(s, t, 'unknown deprecated type');
  return true;
}

const strip = (t: string, delim: string): string => (t.endsWith(delim) ? t.slice(0, -1) : t);
const fromEquals = (t: string): string => t.slice(t.indexOf('=') + 1);

/** What a rule does with its text; `stop` ends the scan (the action's `return 0`). */
type Action = (s: State, text: string) => 'stop' | void;

interface Rule {
  /** Alternatives of the pattern (the longest counts), sticky. */
  re: RegExp[];
  /** Trailing context after `/`: counted in the length, not consumed. */
  ctx?: RegExp;
  act: Action;
}

const R = (src: string): RegExp => new RegExp(src, 'y');
const REST = R('[^\\n]*');

const kv =
  (fn: (s: State, v: string) => void): Action =>
  (s, t) => {
    fn(s, fromEquals(strip(t, ',')));
  };

const RULES: Rule[] = [
  { re: [R('[ \\t\\n]+')], ctx: R('(?:[^ \\t\\n][^\\n]*)?'), act: () => {} },
  { re: [R('format=[^,]*,?')], act: kv(setFormat) },
  { re: [R('cdrom,?')], act: (s) => void (s.d.is_cdrom = 1) },
  { re: [R('devtype=cdrom,?')], act: (s) => void (s.d.is_cdrom = 1) },
  { re: [R('devtype=disk,?')], act: (s) => void (s.d.is_cdrom = 0) },
  { re: [R('devtype=[^,]*,?')], act: (s, t) => err(s, t, 'unknown value for type') },
  { re: [R('access=[^,]*,?')], act: kv(setAccess) },
  { re: [R('backend=[^,]*,?')], act: kv((s, v) => saveString(s, 'backend', 'backend_domname', v)) },
  { re: [R('backendtype=[^,]*,?')], act: kv(setBackendType) },
  { re: [R('specification=[^,]*,?')], act: kv(setSpecification) },
  { re: [R('vdev=[^,]*,?')], act: kv((s, v) => saveString(s, 'vdev', 'vdev', v)) },
  { re: [R('script=[^,]*,?')], act: kv((s, v) => saveString(s, 'script', 'script', v)) },
  { re: [R('direct-io-safe,?')], act: (s) => void (s.d.direct_io_safe = true) },
  { re: [R('discard,?')], act: (s) => void (s.d.discard_enable = true) },
  { re: [R('no-discard,?')], act: (s) => void (s.d.discard_enable = false) },
  { re: [R('colo,?')], act: (s) => void (s.d.colo_enable = true) },
  { re: [R('no-colo,?')], act: (s) => void (s.d.colo_enable = false) },
  { re: [R('colo-host=[^,]*,?')], act: kv((s, v) => saveString(s, 'colo-host', 'colo_host', v)) },
  { re: [R('colo-port=[^,]*,?')], act: kv(setColoPort) },
  { re: [R('colo-export=[^,]*,?')], act: kv((s, v) => saveString(s, 'colo-export', 'colo_export', v)) },
  { re: [R('active-disk=[^,]*,?')], act: kv((s, v) => saveString(s, 'active-disk', 'active_disk', v)) },
  { re: [R('hidden-disk=[^,]*,?')], act: kv((s, v) => saveString(s, 'hidden-disk', 'hidden_disk', v)) },
  // libxlu_disk_l.l has `trusted` / `untrusted` flags, but the scanner 4.17 ships
  // (libxlu_disk_l.c, generated and committed) predates them: there they are positional
  // parameters, so "untrusted,target=/x" is a target respecified. We follow the binary.
  // the target magic parameter, eats the rest of the string
  { re: [R('target=[^\\n]*')], act: kv((s, v) => saveString(s, 'target', 'pdev_path', v)) },
  { re: [R('[a-z][-a-z0-9]*=[^,],?')], act: (s, t) => err(s, t, 'unknown parameter') },
  // deprecated prefixes: the context makes them count as matching the whole string
  {
    re: [R('(?:raw|qcow2?|vhd):')],
    ctx: REST,
    act: (s, t) => {
      s.hadDeprPrefix = true;
      setFormat(s, strip(t, ':'));
    },
  },
  {
    re: [R('(?:iscsi|e?nbd|drbd):')],
    ctx: REST,
    act: (s, t) => {
      s.hadDeprPrefix = true;
      saveString(s, 'script', 'script', `block-${strip(t, ':')}`);
    },
  },
  ...['tapdisk:', 'tap2?:', 'aio:', 'ioemu:', 'file:', 'phy:'].map((p): Rule => ({ re: [R(p)], ctx: REST, act: (s) => void (s.hadDeprPrefix = true) })),
  {
    re: [R('[a-z][a-z0-9]*:')],
    ctx: R('(?:[^a-z0-9][^\\n]*)?'),
    act: (s, t) => {
      err(s, t, 'unknown deprecated disk prefix');
      return 'stop';
    },
  },
  // positional parameters
  { re: [R('[^=,]*,'), R('[^=,]+,?')], act: positional },
];

function positional(s: State, text: string): 'stop' | void {
  const t = strip(text, ',');
  const d = s.d;
  if (s.errors.length > 0) {
    // previous errors may just lead to subsequent ones
  } else if (d.pdev_path === undefined) {
    saveString(s, 'target', 'pdev_path', t);
  } else if (!s.hadDeprPrefix && d.format === undefined) {
    if (d.pdev_path === '' && vdevAndDevtype(s, t)) d.format = 'empty';
    else setFormat(s, t);
  } else if (d.vdev === undefined) {
    if (!vdevAndDevtype(s, t)) saveString(s, 'vdev', 'vdev', t);
  } else if (!s.accessSet) {
    s.accessSet = true;
    setAccess(s, t);
  } else {
    err(s, t, 'too many positional parameters');
    return 'stop';
  }
}

function matchLen(re: RegExp, text: string, at: number): number {
  re.lastIndex = at;
  const m = re.exec(text);
  return m ? m[0].length : -1;
}

/** One run of the scanner over one spec string. */
function scan(s: State, text: string): void {
  let pos = 0;
  while (pos < text.length) {
    let best: { rule: Rule; len: number; total: number } | undefined;
    for (const rule of RULES) {
      let len = -1;
      for (const re of rule.re) len = Math.max(len, matchLen(re, text, pos));
      if (len < 0) continue;
      const total = len + (rule.ctx ? Math.max(0, matchLen(rule.ctx, text, pos + len)) : 0);
      if (total > 0 && (!best || total > best.total)) best = { rule, len, total };
    }
    if (!best) {
      // `.` then <LEXERR>`.*` (yymore): everything from here to the end is the culprit.
      // When the bad character is the last one, <LEXERR> meets the end of input instead,
      // and the scan ends without a word (so "/x,,xvda,=" is accepted).
      if (pos + 1 < text.length) err(s, text.slice(pos), 'bad disk syntax');
      return;
    }
    const t = text.slice(pos, pos + best.len);
    pos += best.len;
    if (best.rule.act(s, t) === 'stop') return;
  }
}

/** xlu_disk_parse: several spec strings fill one disk (block-attach passes its arguments). */
export function parseDiskSpecs(specs: readonly string[]): DiskParse {
  const d: Draft = { readwrite: 1, is_cdrom: 0, direct_io_safe: false };
  const s: State = { spec: '', d, errors: [], hadDeprPrefix: false, accessSet: false };
  for (const spec of specs) {
    s.spec = spec;
    scan(s, spec);
    if (s.errors.length > 0) return { disk: toJson(d, 0), errors: s.errors };
  }
  if (d.format === undefined) d.format = 'raw';
  let removable = 0;
  if (d.is_cdrom) {
    removable = 1;
    d.readwrite = 0;
    if (d.pdev_path === undefined || d.pdev_path === '') d.format = 'empty';
  }
  if (d.vdev === undefined) err(s, undefined, 'no vdev specified');
  else if (d.pdev_path === undefined && !removable) err(s, undefined, 'no target specified (and device not removable)');
  return { disk: toJson(d, removable), errors: s.errors };
}

export function parseDiskSpec(spec: string): DiskParse {
  return parseDiskSpecs([spec]);
}

const defbool = (b: boolean | undefined): 'True' | 'False' | undefined => (b === undefined ? undefined : b ? 'True' : 'False');

function toJson(d: Draft, removable: number): LibxlDiskJson {
  const out: LibxlDiskJson = {
    backend_domname: d.backend_domname,
    pdev_path: d.pdev_path,
    vdev: d.vdev,
    backend: d.backend,
    format: d.format,
    script: d.script,
    removable: removable || undefined,
    readwrite: d.readwrite || undefined,
    is_cdrom: d.is_cdrom || undefined,
    direct_io_safe: d.direct_io_safe || undefined,
    discard_enable: defbool(d.discard_enable),
    specification: d.specification,
    colo_enable: defbool(d.colo_enable),
    colo_host: d.colo_host,
    colo_port: d.colo_port,
    colo_export: d.colo_export,
    active_disk: d.active_disk,
    hidden_disk: d.hidden_disk,
    trusted: defbool(d.trusted),
  };
  for (const k of Object.keys(out) as (keyof LibxlDiskJson)[]) if (out[k] === undefined) delete out[k];
  return out;
}
