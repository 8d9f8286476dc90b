/**
 * Determinism guard: every recorded history replays on the current workflow code. A change that
 * would send a running workflow down another path fails here, before it reaches a worker.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { HISTORIES_DIR } from './histories';
import { WORKFLOWS_PATH } from './worker';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

describe('workflow replay', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  it.each(files)('replays %s', async (file) => {
    // The worker converts JSON histories (as `temporal workflow show --output json` writes them) itself.
    const history: unknown = JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
    await Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, file);
  }, 60_000);
});
