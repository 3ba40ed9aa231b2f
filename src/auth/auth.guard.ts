import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppError } from '../common/app-error';
import { AccessPolicyService, type PolicyRequest } from './access-policy.service';
import { AUTH_POLICY, AuthPolicy } from './auth.decorators';

/**
 * The global guard: default deny. A route runs only when it declares an auth policy and
 * the request satisfies it. Routes with a policy are normally decided earlier, before the
 * body is read (see early-auth.hook.ts); the guard then only confirms that.
 */
@Injectable()
export class GlobalAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly access: AccessPolicyService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.getAllAndOverride<AuthPolicy | undefined>(AUTH_POLICY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (!policy) throw new AppError('forbidden', 'Route has no access policy');
    const req = ctx.switchToHttp().getRequest<PolicyRequest>();
    if (!this.access.wasAuthorized(req)) await this.access.authorize(policy, req);
    return true;
  }
}
