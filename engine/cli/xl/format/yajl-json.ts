/**
 * JSON as libxl prints it: yajl's generator in beautify mode (libxl_json.c,
 * libxl_yajl_gen_alloc with yajl_gen_beautify and a 4-space indent). It differs from
 * JSON.stringify(v, null, 4) in an empty object or array, which yajl writes as an
 * opening bracket, a blank line and the closing bracket on its own indented line, and in
 * the newline yajl adds after a complete top-level value.
 */
export type YajlValue = string | number | boolean | null | YajlValue[] | { [key: string]: YajlValue };

export function yajlBeautify(v: YajlValue): string {
  return gen(v, 0) + '\n';
}

function gen(v: YajlValue, depth: number): string {
  const ind = (d: number): string => '    '.repeat(d);
  if (Array.isArray(v)) {
    if (v.length === 0) return `[\n\n${ind(depth)}]`;
    return `[\n${v.map((x) => ind(depth + 1) + gen(x, depth + 1)).join(',\n')}\n${ind(depth)}]`;
  }
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v);
    if (keys.length === 0) return `{\n\n${ind(depth)}}`;
    return `{\n${keys.map((k) => `${ind(depth + 1)}${JSON.stringify(k)}: ${gen(v[k]!, depth + 1)}`).join(',\n')}\n${ind(depth)}}`;
  }
  return JSON.stringify(v);
}
