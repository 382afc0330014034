/** A value of libxl's JSON (what the generated *_gen_json functions write through yajl). */
export type YajlValue = string | number | boolean | null | YajlValue[] | { [key: string]: YajlValue };
