#!/usr/bin/env node
// Bundles the `xl` command line into out/cli/xl.mjs (part of `npm run build`), so
// `npx xl` starts in ~0.2 s instead of compiling TypeScript through tsx (~1 s) on every
// run; bin/run-ts.mjs uses the bundle only while it is newer than the sources.
import { build } from 'esbuild';

await build({
  entryPoints: { xl: 'engine/cli/xl.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  // the lab's embedded host (xl --lab) is a chunk of its own, loaded by a dynamic import:
  // xl talking to a running XenDeck starts without evaluating it
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  // ssh2 has a native part; it stays a package import
  external: ['ssh2', 'cpu-features'],
  banner: { js: "import { createRequire as __xdCreateRequire } from 'node:module'; const require = __xdCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
