/**
 * electron-vite builds three things: main (Node, Electron's main process), the preload
 * (one CommonJS bundle: a sandboxed preload cannot load modules) and the renderer
 * (the Vue app, also served to browsers by `npm run serve`). Output in out/.
 */
import vue from '@vitejs/plugin-vue';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import { fileURLToPath } from 'node:url';

const r = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: { outDir: 'out/main', rollupOptions: { input: { index: r('./main/index.ts'), 'xenstored-worker': r('./engine/xenstore/worker.ts') } } },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: r('./main/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: r('./renderer'),
    // Absolute asset URLs: the app is served from the origin's root (app://xendeck/ or the
    // serve mode's http://127.0.0.1:PORT/), and deep links such as /domains/new must load.
    // electron-vite's preset forces './' for file://, which XenDeck does not use.
    plugins: [vue(), { name: 'xendeck-absolute-base', enforce: 'post', config: () => ({ base: '/' }) }],
    resolve: { alias: { '@': r('./renderer/src') } },
    // Minified: electron-vite leaves the renderer readable by default, and the dashboard's first render pays for every byte parsed.
    build: { outDir: r('./out/renderer'), minify: true, rollupOptions: { input: { index: r('./renderer/index.html') } }, chunkSizeWarningLimit: 1024 },
  },
});
