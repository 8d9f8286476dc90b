/**
 * The web UI: the static build of `dashboard/` (vite), served at `/`. Its pages are client-side
 * routes, so each answers index.html; hashed assets are cached for good, index.html never.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { StrataError } from '../../core/errors';

export const DASHBOARD_DIST = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));
/** The UI's pages: the dashboard and the ad-hoc query editor. */
const PAGES = ['/', '/query'];

export function dashboardAssetsRouter(dist = DASHBOARD_DIST): Router {
  const router = Router();
  const index = `${dist}/index.html`;
  router.get(PAGES, (_req, res) => {
    if (!existsSync(index)) {
      throw new StrataError('STRATA_NOT_FOUND', 'the dashboard is not built: run `npm run build:dashboard` (npm install runs it too)');
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  router.use('/assets', express.static(`${dist}/assets`, { immutable: true, maxAge: '365d', index: false, fallthrough: true }));
  return router;
}
