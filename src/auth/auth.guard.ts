import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { ApiKeysService } from './api-keys.service';
import { AUTH_POLICY, AuthPolicy } from './auth.decorators';
import { AuthService } from './auth.service';
import { NodeTokenRegistry } from './node-token.registry';
import { roleAllows, type Permission } from './permissions';
import type { AuthenticatedRequest, Principal } from './principal';

type Req = AuthenticatedRequest & { headers: Record<string, string | string[] | undefined> };

function header(req: Req, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The global guard: default deny. A route runs only when it declares an auth policy and
 * the request satisfies it.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly nodeTokens: NodeTokenRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!policy) throw new AppError('forbidden', 'Route has no access policy');
    const req = ctx.switchToHttp().getRequest<Req>();

    switch (policy.kind) {
      case 'public':
        return true;
      case 'node_token':
        req.principal = await this.nodePrincipal(req);
        return true;
      case 'public_unless':
        if (!policy.requiredWhen(this.config)) {
          // Public, but credentials that are sent are checked: the handler may grant more to them.
          if (hasCredentials(req)) req.principal = this.authenticate(req);
          return true;
        }
        return this.requirePermission(req, policy.permission);
      case 'authenticated':
        req.principal = this.authenticate(req);
        return true;
      case 'permission':
        if (policy.allowNodeToken && header(req, 'x-node-token') !== undefined) {
          req.principal = await this.nodePrincipal(req);
          return true;
        }
        return this.requirePermission(req, policy.permission);
    }
  }

  private requirePermission(req: Req, permission: Permission | Permission[]): boolean {
    const principal = this.authenticate(req);
    req.principal = principal;
    const anyOf = Array.isArray(permission) ? permission : [permission];
    if (!anyOf.some((p) => allows(principal, p))) {
      const names = anyOf.map((p) => `"${p}"`).join(' or ');
      throw new AppError('forbidden', `Permission ${names} is required`);
    }
    return true;
  }

  private authenticate(req: Req): Principal {
    const authz = header(req, 'authorization');
    const apiKeyHeader = header(req, 'x-api-key');
    if (authz !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      if (!m) throw new AppError('unauthorized', 'Authorization header must be "Bearer <token>"');
      const token = m[1];
      if (token.startsWith('sk_')) return this.keyPrincipal(token);
      const user = this.auth.verifyJwt(token);
      if (!user) throw new AppError('invalid_token');
      return user;
    }
    if (apiKeyHeader !== undefined) return this.keyPrincipal(apiKeyHeader.trim());
    throw new AppError('unauthorized');
  }

  private keyPrincipal(plaintext: string): Principal {
    const key = this.apiKeys.verify(plaintext);
    if (!key) throw new AppError('invalid_api_key');
    return { kind: 'api_key', keyId: key.id, name: key.name, permissions: key.permissions };
  }

  private async nodePrincipal(req: Req): Promise<Principal> {
    const token = header(req, 'x-node-token');
    if (!token) throw new AppError('node_token_missing');
    const node = await this.nodeTokens.verify(token);
    if (!node) throw new AppError('node_token_invalid');
    return { kind: 'node', nodeId: node.nodeId };
  }
}

function hasCredentials(req: Req): boolean {
  return header(req, 'authorization') !== undefined || header(req, 'x-api-key') !== undefined;
}

export function allows(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'user') return roleAllows(principal.role, permission);
  if (principal.kind === 'api_key') return principal.permissions.includes(permission);
  return false;
}
