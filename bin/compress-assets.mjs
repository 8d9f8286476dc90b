#!/usr/bin/env node
// After `vite build`: a gzip copy (level 9) beside each built asset, which the API sends to
// browsers that accept gzip (api/routes/dashboard-assets.ts), so no request compresses anything.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dir = join(import.meta.dirname, '..', 'dashboard', 'dist', 'assets');
for (const file of readdirSync(dir)) {
  if (file.endsWith('.gz')) continue;
  writeFileSync(join(dir, `${file}.gz`), gzipSync(readFileSync(join(dir, file)), { level: 9 }));
}
