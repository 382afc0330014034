/**
 * `rdm = "strategy=host,policy=strict|relaxed"` (xl.cfg(5) "rdm"), read by libxlutil's
 * xlu_rdm_parse (tools/libs/util/libxlu_pci.c) and copied by xl into b_info's
 * u.hvm.rdm only when that returns 0 (xl_parse.c).
 *
 * libxlutil 4.17 has its policy check upside down (`if (!parse_rdm_policy(...)) goto
 * parse_error`): a valid policy makes the whole string fail, so xl keeps nothing, while
 * an unknown one is reported ("Unknown RDM policy: X", no newline) and the parse
 * succeeds. xl's rdm is an uninitialised stack struct, so what it copies for a field the
 * string did not set is not a valid enum value; libxl's JSON prints such a value as
 * null, as real xl 4.17 shows. Both quirks are kept.
 */
export interface RdmParse {
  /** What xl copies into u.hvm.rdm, in libxl's JSON (null: not a valid enum value). */
  rdm?: { strategy: 'host' | null; policy: null };
  /** What libxlutil wrote to its report. */
  report: string;
}

export function parseRdm(str: string): RdmParse {
  let report = '';
  let strategy: 'host' | null = null;
  type State = 'type' | 'strategy' | 'policy' | 'terminal';
  let state: State = 'type';
  let tok = 0;
  const text = `${str}\0`;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (state === 'type') {
      if (c === '=') {
        const key = text.slice(tok, i);
        if (key === 'strategy') state = 'strategy';
        else if (key === 'policy') state = 'policy';
        else return { report: report + `Unknown RDM state option: ${key}` };
        tok = i + 1;
      }
    } else if (state === 'strategy' || state === 'policy') {
      if (c === ',' || c === '\0') {
        const value = text.slice(tok, i);
        const next: State = c === ',' ? 'type' : 'terminal';
        if (state === 'strategy') {
          if (value !== 'host') return { report: report + `Unknown RDM strategy option: ${value}` };
          strategy = 'host';
        } else if (value === 'strict' || value === 'relaxed') {
          return { report }; // the inverted check: a good policy is a parse error
        } else {
          report += `Unknown RDM policy: ${value}`;
        }
        state = next;
        tok = i + 1;
      }
    }
  }
  // the loop ran one past the NUL: tok == ptr only when the last token ended right there
  if (tok !== text.length || state !== 'terminal') return { report };
  return { rdm: { strategy, policy: null }, report };
}
