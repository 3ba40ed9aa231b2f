import { applyDecorators } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';
import type { AppConfig } from '../config/app-config';
import type { Permission } from './permissions';

export const AUTH_POLICY = 'llmlb:auth-policy';

/**
 * How a route is authenticated. The global guard denies any route without a policy, and a
 * test walks every route to make sure each one declares one.
 */
export type AuthPolicy =
  | { kind: 'public' }
  | { kind: 'authenticated' }
  | { kind: 'permission'; permission: Permission | Permission[]; allowNodeToken?: boolean }
  | { kind: 'node_token' }
  | {
      kind: 'public_unless';
      permission: Permission;
      requiredWhen: (config: AppConfig) => boolean;
    };

/** Key of the auth policy in a Fastify route's `config` (read by the early-auth hook). */
export const ROUTE_AUTH_POLICY = 'authPolicy';

function setRouteConfig(handler: object, policy: AuthPolicy): void {
  const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
  Reflect.defineMetadata(
    FASTIFY_ROUTE_CONFIG_METADATA,
    { ...config, [ROUTE_AUTH_POLICY]: policy },
    handler,
  );
}

/**
 * Records a policy for Nest (the guard reads it with the Reflector, method over class) and
 * copies it into each handler's Fastify route config, so that it can be checked in the
 * `onRequest` hook before the body is read. On a class, methods keep their own policy.
 */
function SetPolicy(policy: AuthPolicy): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      const handler = descriptor.value as object;
      Reflect.defineMetadata(AUTH_POLICY, policy, handler);
      setRouteConfig(handler, policy);
      return;
    }
    Reflect.defineMetadata(AUTH_POLICY, policy, target);
    const proto = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const fn: unknown = Object.getOwnPropertyDescriptor(proto, name)?.value; // no getters run
      if (name === 'constructor' || typeof fn !== 'function') continue;
      if (!Reflect.hasOwnMetadata(AUTH_POLICY, fn)) setRouteConfig(fn, policy);
    }
  };
}

const secured = () => applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api_key'));

/** Anyone may call the route. */
export const Public = () => SetPolicy({ kind: 'public' } satisfies AuthPolicy);

/** Any logged-in user or valid API key. */
export const Authenticated = () =>
  applyDecorators(SetPolicy({ kind: 'authenticated' } satisfies AuthPolicy), secured());

/** A JWT whose role allows it, or an API key holding the permission (any one of a list). */
export const RequirePermission = (
  permission: Permission | Permission[],
  opts: { allowNodeToken?: boolean } = {},
) =>
  applyDecorators(
    SetPolicy({ kind: 'permission', permission, ...opts } satisfies AuthPolicy),
    secured(),
    ...(opts.allowNodeToken ? [ApiSecurity('node_token')] : []),
  );

/** Only a node, identified by its `X-Node-Token`. */
export const RequireNodeToken = () =>
  applyDecorators(
    SetPolicy({ kind: 'node_token' } satisfies AuthPolicy),
    ApiSecurity('node_token'),
  );

/** Public unless the configuration says a key with `permission` is required. */
export const PublicUnless = (
  permission: Permission,
  requiredWhen: (config: AppConfig) => boolean,
) =>
  applyDecorators(
    SetPolicy({
      kind: 'public_unless',
      permission,
      requiredWhen,
    } satisfies AuthPolicy),
    secured(),
  );
