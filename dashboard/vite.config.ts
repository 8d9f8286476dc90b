import { defineConfig } from 'vite';

// Built into dashboard/dist, which the API serves at `/` (api/routes/dashboard-assets.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1200 },
  // `vite dev` proxies the API to a running `npm start`, for work on the UI alone.
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
