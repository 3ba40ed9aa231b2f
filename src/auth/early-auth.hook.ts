import type { FastifyInstance } from 'fastify';
import { AccessPolicyService, type PolicyRequest } from './access-policy.service';
import { ROUTE_AUTH_POLICY, type AuthPolicy } from './auth.decorators';

/**
 * Checks credentials in Fastify's `onRequest` hook, before any byte of the body is read or
 * parsed: an anonymous caller of a protected route gets its 401 (or 403) at once and the
 * connection is closed instead of draining the body. The decision is the same code the
 * global guard runs (AccessPolicyService); routes without a policy are left to the guard,
 * which denies them.
 */
export function installEarlyAuth(fastify: FastifyInstance, access: AccessPolicyService): void {
  fastify.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config as unknown as Record<string, unknown> | undefined;
    const policy = config?.[ROUTE_AUTH_POLICY] as AuthPolicy | undefined;
    if (!policy) return;
    try {
      await access.authorize(policy, req as unknown as PolicyRequest);
    } catch (e) {
      // The body was not read: do not keep the connection for it.
      void reply.header('connection', 'close');
      throw e;
    }
  });
}
