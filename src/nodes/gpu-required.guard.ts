import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { checkGpuInfo } from './gpu-rules';

/**
 * Runs before the DTO validation of `POST /v0/nodes`: missing or empty GPU information is
 * 403 `gpu_required` (spec §4.1), and the handler never runs, so nothing is stored.
 * Wrongly typed GPU fields are left to the validation (400).
 */
@Injectable()
export class GpuRequiredGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const body: unknown = ctx.switchToHttp().getRequest<{ body?: unknown }>().body;
    const check = checkGpuInfo(body);
    if (check.result === 'missing') throw new AppError('gpu_required');
    return true;
  }
}
