import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { HOST, PORTS, homeDir, runDir } from './paths';
import { withLock } from './lock';
import { runStep } from './process';
import type { ServiceDef } from './service';

/**
 * The last CLI tag whose go.mod has no `replace` directive (which `go install pkg@version` refuses).
 * It embeds the dev server (with the Web UI and Schedules) and is also the `temporal` CLI.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';

export const temporalBinary = (): string => join(homeDir('bin'), 'temporal');

export const temporalAddress = `${HOST}:${PORTS.temporal}`;
export const temporalUiUrl = `http://${HOST}:${PORTS.temporalUi}`;

async function uiAnswers(): Promise<boolean> {
  const res = await fetch(`${temporalUiUrl}/`, { signal: AbortSignal.timeout(2_000) });
  await res.arrayBuffer();
  return res.status === 200;
}

export const temporal: ServiceDef = {
  name: 'temporal',
  // The first start after the build is the slow one: 21 s in one first run here, more than 60 s in
  // another (it then starts in about 2 s). The wait ends as soon as it answers.
  startTimeoutMs: 180_000,

  async install(log) {
    if (existsSync(temporalBinary())) return;
    await withLock('temporal', log, async () => {
      if (existsSync(temporalBinary())) return; // built while we waited
      log(`temporal: building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only, several minutes)`);
      const t0 = Date.now();
      await runStep('temporal', 'go', ['install', `github.com/temporalio/cli/cmd/temporal@${TEMPORAL_CLI_VERSION}`], {
        GOPATH: homeDir('go'), GOCACHE: homeDir('gocache'), GOBIN: homeDir('bin'),
      });
      log(`temporal: built ${temporalBinary()} in ${Math.round((Date.now() - t0) / 1000)} s`);
    });
  },

  async command() {
    return {
      command: temporalBinary(),
      args: [
        'server', 'start-dev',
        '--ip', HOST, '--port', String(PORTS.temporal), '--ui-port', String(PORTS.temporalUi),
        '--db-filename', join(runDir('temporal'), 'temporal.db'),
        '--log-level', 'warn',
        // Workflow Update is off by default in some server versions; the batch layer uses it.
        '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
      ],
    };
  },

  async healthy() {
    const connection = await Connection.connect({ address: temporalAddress, connectTimeout: 1_500 });
    try {
      const info = await connection.workflowService.getSystemInfo({});
      return Boolean(info.serverVersion) && (await uiAnswers());
    } finally {
      await connection.close();
    }
  },
};
