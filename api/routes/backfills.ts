/**
 * `POST /v1/backfills` starts one (202 `{"id"}`), `GET /v1/backfills/:id` follows it,
 * `DELETE /v1/backfills/:id` cancels it. Temporal runs them when configured, else the embedded
 * runner; the reply is the same either way.
 */
import { Router } from 'express';
import { type Backfills, parseBackfillRequest } from '../../core/backfill';
import { StrataError } from '../../core/errors';
import { jsonBody } from '../json-body';
import { resolveTenant } from '../tenant';

export interface BackfillDeps {
  backfills?: Backfills;
  openLoopback: boolean;
}

const ID = /^backfill-[0-9a-f-]{36}$/;

export function backfillsRouter(deps: BackfillDeps): Router {
  const router = Router();
  const engine = (): Backfills => {
    if (!deps.backfills) throw new StrataError('STRATA_UNAVAILABLE', 'backfills need the batch layer: configure STRATA_TEMPORAL_ADDRESS, or run `strata start`');
    return deps.backfills;
  };
  const idOf = (raw: string): string => {
    if (!ID.test(raw)) throw new StrataError('STRATA_NOT_FOUND', `no backfill "${raw}"`);
    return raw;
  };
  router.post('/v1/backfills', jsonBody(16 * 1024), async (req, res) => {
    resolveTenant(req, deps.openLoopback);
    const id = await engine().start(parseBackfillRequest(req.body));
    res.status(202).json({ id });
  });
  router.get('/v1/backfills/:id', async (req, res) => {
    resolveTenant(req, deps.openLoopback);
    const status = await engine().get(idOf(req.params.id));
    if (!status) throw new StrataError('STRATA_NOT_FOUND', `no backfill "${req.params.id}"`);
    res.json(status);
  });
  router.delete('/v1/backfills/:id', async (req, res) => {
    resolveTenant(req, deps.openLoopback);
    if (!(await engine().cancel(idOf(req.params.id)))) throw new StrataError('STRATA_NOT_FOUND', `no backfill "${req.params.id}"`);
    res.json(await engine().get(req.params.id));
  });
  return router;
}
