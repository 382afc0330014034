/**
 * Where `xl --lab` keeps its lab when none is named. Its own module so that xl talking
 * to a running XenDeck never loads the lab's embedded host (lab-store.ts) at start.
 */
import { resolve } from 'node:path';

/** $XENDECK_LAB, else ./.lab (git-ignored in the XenDeck tree). */
export function defaultLabDir(env: Record<string, string | undefined>, cwd: string): string {
  const v = env['XENDECK_LAB'];
  return resolve(cwd, v !== undefined && v !== '' ? v : '.lab');
}
