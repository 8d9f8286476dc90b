import { defineConfig, type Plugin } from 'vite';

/**
 * Names the chart library's chunk in index.html as a preload: the browser downloads it while the
 * page starts, without running it. The page imports it once its data requests are out
 * (dashboard-page.ts), so its ~90 ms on the main thread never holds a request back.
 */
function preloadCharts(): Plugin {
  return {
    name: 'strata-preload-charts',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.name === 'echarts-setup');
        if (!chunk) throw new Error('the echarts-setup chunk is missing from the build');
        return [{ tag: 'link', attrs: { rel: 'preload', as: 'script', crossorigin: '', href: `/${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

// Built into dashboard/dist, which the API serves at `/` (api/routes/dashboard-assets.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preloadCharts()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1200 },
  // `vite dev` proxies the API to a running `npm start`, for work on the UI alone.
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
