/** The xl.cfg reader of the toolstack (libxlutil's role). */
export { ConfigError } from './config-error';
export { XlCfgLexer, type Token, type TokenKind } from './xlcfg-lexer';
export { parseXlCfg, parseXlCfgStrict, getLong, strtol0, pythonWarnings, type XlCfgParse, type XlSetting, type XlValue } from './xlcfg-parser';
