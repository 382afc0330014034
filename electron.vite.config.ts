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
    build: { outDir: 'out/main', rollupOptions: { input: { index: r('./main/index.ts') } } },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: { input: { index: r('./main/preload/index.ts') }, output: { format: 'cjs', entryFileNames: '[name].cjs' } },
    },
  },
  renderer: {
    root: r('./renderer'),
    plugins: [vue()],
    resolve: { alias: { '@': r('./renderer/src') } },
    build: { outDir: r('./out/renderer'), rollupOptions: { input: { index: r('./renderer/index.html') } }, chunkSizeWarningLimit: 1024 },
  },
});
