// `xl list -l [dom]` (tools/xl/xl_info.c: list_domains_details, printf_info_one_json):
// a JSON array of {"domid": n, "config": libxl_domain_config} as libxl's generated
// JSON (tools/libs/light/libxl_types.idl) prints it. With output_format="sxp" in
// xl.conf xl prints SXP instead, which is refused here with that explanation.
import { ParseError } from '../errors';
import type { RemoteDomainConfig } from '../types';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function parseXlListLong(text: string): RemoteDomainConfig[] {
  const t = text.trim();
  if (t.startsWith('(')) throw new ParseError('xl list -l', 'the host prints SXP (output_format="sxp" in /etc/xen/xl.conf); JSON is needed');
  let data: unknown;
  try {
    data = JSON.parse(t);
  } catch (e) {
    throw new ParseError('xl list -l', `not JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(data)) throw new ParseError('xl list -l', 'expected a JSON array');
  return data.map((el, i) => {
    if (!isObject(el) || !isObject(el.config)) throw new ParseError('xl list -l', `element ${i} has no config object`);
    const { config, domid } = el;
    if (!isObject(config.c_info) || !isObject(config.b_info)) throw new ParseError('xl list -l', `element ${i} lacks c_info or b_info`);
    if (domid !== null && typeof domid !== 'number') throw new ParseError('xl list -l', `element ${i} has a bad domid`);
    return { domid, config: config as RemoteDomainConfig['config'] };
  });
}
