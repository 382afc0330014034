import { describe, expect, it } from 'vitest';
import { defaultSocketPath } from '../../../main/serve/local-socket';
import { DEFAULT_PORT, parseServeArgs, ServeUsageError, type ServeOptions } from '../../../main/serve/serve-options';

const parse = (argv: string[], env: Record<string, string> = {}) => parseServeArgs(argv, env, '/r');

describe('npm run serve flags', () => {
  it('binds loopback on the default port with a random token by default', () => {
    expect(parse([])).toEqual({ host: '127.0.0.1', port: DEFAULT_PORT, allowRemote: false, token: undefined, seed: 1, labDir: '.lab', socketPath: defaultSocketPath({}), rendererDir: '/r' });
  });

  it('takes --host, --port, --seed, --token in both spellings', () => {
    expect(parse(['--host', 'localhost', '--port=0', '--seed', '9', '--token', 'abcdefghijklmnop'])).toMatchObject({ host: 'localhost', port: 0, seed: 9, token: 'abcdefghijklmnop' });
    expect((parse([], { XENDECK_TOKEN: 'tokentokentokentoken' }) as ServeOptions).token).toBe('tokentokentokentoken');
  });

  it('refuses a non-loopback address without --allow-remote', () => {
    expect(() => parse(['--host', '0.0.0.0'])).toThrow(ServeUsageError);
    expect(() => parse(['--host', '0.0.0.0'])).toThrow(/--allow-remote/);
    expect(parse(['--host', '0.0.0.0', '--allow-remote'])).toMatchObject({ host: '0.0.0.0', allowRemote: true });
  });

  it('names what is wrong', () => {
    expect(() => parse(['--port', '70000'])).toThrow('--port 70000: expected an integer 0-65535');
    expect(() => parse(['--port'])).toThrow('--port needs a value');
    expect(() => parse(['--frobnicate'])).toThrow('unknown option --frobnicate');
    expect(() => parse(['--token', 'short'])).toThrow(/16-128/);
    expect(parse(['--help'])).toBe('help');
  });
});
