import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Permission, Role } from './permissions';

export type Principal =
  | { kind: 'user'; userId: string; username: string; role: Role }
  | { kind: 'api_key'; keyId: string; name: string; permissions: Permission[] }
  | { kind: 'node'; nodeId: string };

export interface AuthenticatedRequest {
  principal?: Principal;
}

/** Injects the authenticated principal set by the global guard. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal | undefined =>
    ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

/** A short stable label for logs and request history. */
export function principalLabel(p: Principal | undefined): string | null {
  if (!p) return null;
  if (p.kind === 'user') return `user:${p.userId}`;
  if (p.kind === 'api_key') return `key:${p.keyId}`;
  return `node:${p.nodeId}`;
}
