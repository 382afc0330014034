/**
 * The xlu_cfg_get_* family as the semantic layer uses it (tools/libs/util/libxlu_cfg.c):
 * strings, numbers, defbools and lists of strings, with xl's warnings for a value of the
 * wrong kind. The strict getters throw a ConfigError at the key's line; the lenient ones
 * warn and leave the default, which is what xl does for most keys.
 */
import { ConfigError } from './config-error';
import { strtol0, type XlCfgParse, type XlValue } from './xlcfg-parser';

export const atomText = (v: XlValue): string | undefined => (v.kind === 'string' ? v.value : v.kind === 'number' ? v.text : undefined);

export function lineOf(cfg: XlCfgParse, key: string): number {
  return cfg.settings.get(key)?.line ?? 0;
}

export function configError(cfg: XlCfgParse, key: string, detail: string): ConfigError {
  return new ConfigError(cfg.file, lineOf(cfg, key), 1, detail);
}

/** xlu_cfg_get_string: a list is refused ("is a list but should be a single value"). */
export function getString(cfg: XlCfgParse, key: string): string | undefined {
  const s = cfg.settings.get(key);
  if (!s) return undefined;
  if (s.value.kind === 'list') throw new ConfigError(cfg.file, s.line, 1, `warning: parameter \`${key}' is a list but should be a single value`);
  return atomText(s.value);
}

/**
 * xlu_cfg_get_long with dont_warn = 0: a bad value prints xl's warning and reads as
 * "not set" (xl carries on with the default).
 */
export function getLongLenient(cfg: XlCfgParse, key: string, warnings: string[]): number | undefined {
  const s = cfg.settings.get(key);
  if (!s) return undefined;
  const at = `${cfg.file}:${s.line}: warning: parameter \`${key}'`;
  if (s.value.kind === 'list') {
    warnings.push(`${at} is a list but should be a single value`);
    return undefined;
  }
  if (s.added) {
    warnings.push(`${cfg.file}:${s.line}: warning: can't use += with numbers for parameter \`${key}'`);
    return undefined;
  }
  const text = atomText(s.value)!;
  const n = strtol0(text);
  if (n === undefined) warnings.push(`${at} is not a number: \`${text}'`);
  return n;
}

/** xlu_cfg_get_defbool: a number, non-zero is true; libxl's JSON spells it "True"/"False". */
export function getDefbool(cfg: XlCfgParse, key: string, warnings: string[]): 'True' | 'False' | undefined {
  const n = getLongLenient(cfg, key, warnings);
  return n === undefined ? undefined : n ? 'True' : 'False';
}

/**
 * xlu_cfg_get_list: the items of a list setting as strings (numbers keep their text),
 * undefined when absent. A single value is not a list: `asList` says what to do then.
 */
export function getStringList(cfg: XlCfgParse, key: string): { items: string[]; line: number } | undefined {
  const s = cfg.settings.get(key);
  if (!s || s.value.kind !== 'list') return undefined;
  return { items: s.value.items.map((v) => atomText(v) ?? ''), line: s.line };
}
