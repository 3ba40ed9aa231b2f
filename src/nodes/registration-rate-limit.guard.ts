import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { RateLimiter } from '../common/rate-limiter';

/** Registration attempts per source IP and minute (`LLMLB_NODE_REGISTRATION_RATE_LIMIT`). */
@Injectable()
export class RegistrationRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limiter = new RateLimiter(config.nodes.registrationRateLimitPerMinute, 60_000);
  }

  canActivate(ctx: ExecutionContext): boolean {
    const ip = ctx.switchToHttp().getRequest<{ ip?: string }>().ip ?? 'unknown';
    if (!this.limiter.hit(ip)) {
      throw new AppError(
        'rate_limited',
        `Too many node registrations from this address; retry in ${this.limiter.retryAfterSecs(ip)} s`,
      );
    }
    return true;
  }
}
