// The UI is built into peeps-dump/ui/dist, committed, and embedded in the
// `peeps` binary (peeps-dump/src/serve/ui.rs). File names are fixed (no
// content hashes) so the server can embed a fixed list of files, and the
// build is deterministic: frontend/check-bundle.sh rebuilds and diffs.
import { defineConfig } from 'vite';

// `npm run dev` proxies the API to a running `peeps serve`
// (PEEPS_HTTP, default 127.0.0.1:9120).
const api = `http://${process.env.PEEPS_HTTP ?? '127.0.0.1:9120'}`;

export default defineConfig({
  base: './',
  build: {
    outDir: '../peeps-dump/ui/dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    modulePreload: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 2000,
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        entryFileNames: 'assets/peeps.js',
        chunkFileNames: 'assets/[name].js',
        assetFileNames: (info) => (info.names.some((n) => n.endsWith('.css')) ? 'assets/peeps.css' : 'assets/[name][extname]'),
      },
    },
  },
  server: {
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
});
