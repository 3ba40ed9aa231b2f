import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { ApiKeysService } from './api-keys.service';
import type { AuthPolicy } from './auth.decorators';
import { AuthService } from './auth.service';
import { NodeTokenRegistry } from './node-token.registry';
import { roleAllows, type Permission } from './permissions';
import type { AuthenticatedRequest, Principal } from './principal';

export type PolicyRequest = AuthenticatedRequest & {
  headers: Record<string, string | string[] | undefined>;
};

function header(req: PolicyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Decides whether a request satisfies a route's auth policy and sets its principal. Used
 * twice with the same logic: by the Fastify `onRequest` hook, before the body is read, and
 * by the global guard for anything the hook did not decide (routes without a policy).
 */
@Injectable()
export class AccessPolicyService {
  /** Requests already authorized by the early hook: the guard does not check them again. */
  private readonly decided = new WeakSet<object>();

  constructor(
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
    private readonly nodeTokens: NodeTokenRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  wasAuthorized(req: object): boolean {
    return this.decided.has(req);
  }

  /** Throws 401/403 when the request does not satisfy `policy`; else records the principal. */
  async authorize(policy: AuthPolicy, req: PolicyRequest): Promise<void> {
    switch (policy.kind) {
      case 'public':
        break;
      case 'node_token':
        req.principal = await this.nodePrincipal(req);
        break;
      case 'public_unless':
        if (policy.requiredWhen(this.config)) this.requirePermission(req, policy.permission);
        // Public, but credentials that are sent are checked: the handler may grant more to them.
        else if (hasCredentials(req)) req.principal = this.authenticate(req);
        break;
      case 'authenticated':
        req.principal = this.authenticate(req);
        break;
      case 'permission':
        if (policy.allowNodeToken && header(req, 'x-node-token') !== undefined) {
          req.principal = await this.nodePrincipal(req);
        } else {
          this.requirePermission(req, policy.permission);
        }
        break;
    }
    this.decided.add(req);
  }

  private requirePermission(req: PolicyRequest, permission: Permission | Permission[]): void {
    const principal = this.authenticate(req);
    req.principal = principal;
    const anyOf = Array.isArray(permission) ? permission : [permission];
    if (!anyOf.some((p) => allows(principal, p))) {
      const names = anyOf.map((p) => `"${p}"`).join(' or ');
      throw new AppError('forbidden', `Permission ${names} is required`);
    }
  }

  private authenticate(req: PolicyRequest): Principal {
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

  private async nodePrincipal(req: PolicyRequest): Promise<Principal> {
    const token = header(req, 'x-node-token');
    if (!token) throw new AppError('node_token_missing');
    const node = await this.nodeTokens.verify(token);
    if (!node) throw new AppError('node_token_invalid');
    return { kind: 'node', nodeId: node.nodeId };
  }
}

function hasCredentials(req: PolicyRequest): boolean {
  return header(req, 'authorization') !== undefined || header(req, 'x-api-key') !== undefined;
}

export function allows(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'user') return roleAllows(principal.role, permission);
  if (principal.kind === 'api_key') return principal.permissions.includes(permission);
  return false;
}
