/**
 * `PUT /v1/profiles/:user_id`: the dimensions enrichment gives this user's events when they lack
 * them. A PUT replaces the profile as a whole.
 */
import { Router, type RequestHandler } from 'express';
import { StrataError } from '../../core/errors';
import { parseProfile, parseUserId, type ProfileStore } from '../../core/profile';
import { jsonBody } from '../json-body';
import { asOlapUnavailable } from '../olap-errors';
import { resolveTenant } from '../tenant';

export interface ProfilesDeps {
  /** Absent where the process has no profile store: the route then answers 503. */
  profiles?: ProfileStore;
  openLoopback: boolean;
}

/** A profile is a few short strings; anything larger is not one. */
const MAX_PROFILE_BODY_BYTES = 32 * 1024;

export function profilesRouter(deps: ProfilesDeps): Router {
  const router = Router();
  const store = (): ProfileStore => {
    if (!deps.profiles) throw new StrataError('STRATA_UNAVAILABLE', 'profiles are not available in this process');
    return deps.profiles;
  };
  // Who is asking, and whether profiles are served here, are answered before the body is read.
  const admit: RequestHandler = (req, _res, next) => {
    resolveTenant(req, deps.openLoopback);
    store();
    next();
  };

  router.put('/v1/profiles/:user_id', admit, jsonBody(MAX_PROFILE_BODY_BYTES), async (req, res) => {
    const tenant = resolveTenant(req, deps.openLoopback);
    const userId = parseUserId(req.params.user_id);
    if (!userId.ok) throw new StrataError('STRATA_BAD_REQUEST', userId.message);
    const profile = parseProfile(req.body);
    if (!profile.ok) throw new StrataError('STRATA_BAD_REQUEST', profile.message);
    try {
      await store().put(tenant, userId.value, profile.value);
    } catch (err) {
      throw asOlapUnavailable(err);
    }
    res.json({ user_id: userId.value, profile: profile.value });
  });
  return router;
}
