/**
 * What a CLI's main() is handed (docs/CONVENTIONS.md: `main(argv, io)`): the process's
 * streams and environment, or captured ones in tests. Only `write` is used on the output
 * streams, so a test can pass a plain collector.
 */
export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdin: unknown;
  stdout: TextSink;
  stderr: TextSink;
  env: Record<string, string | undefined>;
}

/**
 * How xl leaves early: tools/xl calls exit(n) from deep inside helpers (find_domain,
 * def_getopt, parse_config_data). Commands throw this instead and main() turns it into
 * the exit status, so the process is never exited from library code.
 */
export class XlExit extends Error {
  override readonly name = 'XlExit';
  constructor(readonly status: number) {
    super(`xl exits with status ${status}`);
  }
}
