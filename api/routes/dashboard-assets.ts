/**
 * The web UI: the static build of `dashboard/` (vite), served at `/`. Its pages are client-side
 * routes, so each answers index.html; hashed assets are cached for good, index.html never. The
 * build leaves a gzip copy beside each asset (bin/compress-assets.mjs), sent to browsers that
 * accept it: ECharts is 600 KB raw and 200 KB gzipped, and nothing is compressed per request.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { StrataError } from '../../core/errors';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
/** The UI's pages: the dashboard and the ad-hoc query editor. */
const PAGES = ['/', '/query'];
const ASSET = /^[A-Za-z0-9_.-]+$/;

export function dashboardAssetsRouter(dist = DASHBOARD_DIST): Router {
  const router = Router();
  const index = join(dist, 'index.html');
  router.get(PAGES, (_req, res) => {
    if (!existsSync(index)) {
      throw new StrataError('STRATA_NOT_FOUND', 'the dashboard is not built: run `npm run build:dashboard` (npm install runs it too)');
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  router.get('/assets/:file', (req, res, next) => {
    const file = req.params.file;
    const path = join(dist, 'assets', file);
    if (!ASSET.test(file) || !existsSync(path)) {
      next();
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.setHeader('Vary', 'Accept-Encoding');
    res.type(extname(file));
    if (existsSync(`${path}.gz`) && req.acceptsEncodings('gzip') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.sendFile(`${path}.gz`);
    } else res.sendFile(path);
  });
  return router;
}
