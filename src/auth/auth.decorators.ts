import { applyDecorators, SetMetadata } from '@nestjs/common';
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

const secured = () => applyDecorators(ApiBearerAuth('bearer'), ApiSecurity('api_key'));

/** Anyone may call the route. */
export const Public = () => SetMetadata(AUTH_POLICY, { kind: 'public' } satisfies AuthPolicy);

/** Any logged-in user or valid API key. */
export const Authenticated = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'authenticated' } satisfies AuthPolicy),
    secured(),
  );

/** A JWT whose role allows it, or an API key holding the permission (any one of a list). */
export const RequirePermission = (
  permission: Permission | Permission[],
  opts: { allowNodeToken?: boolean } = {},
) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'permission', permission, ...opts } satisfies AuthPolicy),
    secured(),
    ...(opts.allowNodeToken ? [ApiSecurity('node_token')] : []),
  );

/** Only a node, identified by its `X-Node-Token`. */
export const RequireNodeToken = () =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, { kind: 'node_token' } satisfies AuthPolicy),
    ApiSecurity('node_token'),
  );

/** Public unless the configuration says a key with `permission` is required. */
export const PublicUnless = (
  permission: Permission,
  requiredWhen: (config: AppConfig) => boolean,
) =>
  applyDecorators(
    SetMetadata(AUTH_POLICY, {
      kind: 'public_unless',
      permission,
      requiredWhen,
    } satisfies AuthPolicy),
    secured(),
  );
