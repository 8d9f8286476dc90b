/** Recorded workflow histories, replayed by replay.test.ts (record them with STRATA_RECORD_HISTORIES=1). */
import { fileURLToPath } from 'node:url';

export const HISTORIES_DIR = fileURLToPath(new URL('./histories/', import.meta.url));
