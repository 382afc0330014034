/**
 * A config error as xl reports it: `<file>:<line>: config parsing error near `<tok>':
 * <msg>` (tools/libs/util/libxlu_cfg.c, xlu__cfg_yyerror). Carries file, line and column
 * so the GUI can point at the place.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** The text after "file:line: " as xl prints it. */
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}
