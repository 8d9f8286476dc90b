/**
 * Who is asking. API keys arrive with their own issue; until then the only open mode is the
 * contract's no-key loopback mode, where a request acts as tenant `default`.
 */
import type { IncomingMessage } from 'node:http';
import { StrataError } from '../core/errors';

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * In the open loopback mode a `Strata-Tenant` header picks another tenant, so that tests and local
 * tools can keep tenants apart; a machine's own loopback is already trusted with everything.
 */
export function resolveTenant(req: IncomingMessage, openLoopback: boolean): string {
  if (!openLoopback) {
    throw new StrataError('STRATA_UNAUTHORIZED', 'API keys are not available yet, so requests without one are served on loopback only: bind to STRATA_HOST=127.0.0.1, or set STRATA_ALLOW_ANONYMOUS=true on a private network');
  }
  const asked = req.headers['strata-tenant'];
  if (asked === undefined) return 'default';
  if (typeof asked !== 'string' || !TENANT.test(asked)) {
    throw new StrataError('STRATA_BAD_REQUEST', '"Strata-Tenant" header must be 1–64 letters, digits, _ or -');
  }
  return asked;
}
