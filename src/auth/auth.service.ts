import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { RateLimiter } from '../common/rate-limiter';
import { ChangePasswordDto, LoginDto, LoginResponseDto, MeResponseDto } from './dto/login.dto';
import { UserDto } from './dto/user.dto';
import { verifyPassword } from './password';
import { PERMISSIONS, roleAllows } from './permissions';
import type { Principal } from './principal';
import { UsersService } from './users.service';

interface JwtClaims {
  sub: string;
  username: string;
  role: string;
}

/** Login, JWTs, the current principal and password changes. */
@Injectable()
export class AuthService {
  private readonly byUser: RateLimiter;
  private readonly byIp: RateLimiter;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const perMinute = config.auth.loginRateLimitPerMinute;
    // Failed attempts per username, and (more generously) per source address.
    this.byUser = new RateLimiter(perMinute, 60_000);
    this.byIp = new RateLimiter(perMinute * 3, 60_000);
  }

  async login(dto: LoginDto, ip: string): Promise<LoginResponseDto> {
    const userKey = dto.username.toLowerCase();
    if (this.byUser.isLimited(userKey) || this.byIp.isLimited(ip)) {
      const retry = Math.max(this.byUser.retryAfterSecs(userKey), this.byIp.retryAfterSecs(ip));
      throw new AppError('rate_limited', `Too many login attempts; retry in ${retry} s`);
    }
    const user = await this.users.findByUsername(dto.username);
    const ok = await verifyPassword(dto.password, user?.passwordHash ?? null);
    if (!user || !ok) {
      this.byUser.hit(userKey);
      this.byIp.hit(ip);
      throw new AppError('invalid_credentials');
    }
    this.byUser.reset(userKey);
    const claims: JwtClaims = { sub: user.id, username: user.username, role: user.role };
    return {
      token: await this.jwt.signAsync(claims),
      token_type: 'Bearer',
      expires_in: this.config.auth.jwtExpiresSecs,
      user: { id: user.id, username: user.username, role: user.role },
    };
  }

  /** The user behind a JWT, as they are now (role changes and deletions apply at once). */
  verifyJwt(token: string): Principal | null {
    let claims: JwtClaims;
    try {
      claims = this.jwt.verify<JwtClaims>(token);
    } catch {
      return null;
    }
    const user = this.users.lookup(claims.sub);
    if (!user) return null;
    return { kind: 'user', userId: user.id, username: user.username, role: user.role };
  }

  me(principal: Principal): MeResponseDto {
    if (principal.kind === 'user') {
      return {
        kind: 'user',
        id: principal.userId,
        name: principal.username,
        role: principal.role,
        permissions: PERMISSIONS.filter((p) => roleAllows(principal.role, p)),
      };
    }
    if (principal.kind === 'api_key') {
      return {
        kind: 'api_key',
        id: principal.keyId,
        name: principal.name,
        permissions: principal.permissions,
      };
    }
    throw new AppError('forbidden');
  }

  async changePassword(principal: Principal, dto: ChangePasswordDto): Promise<UserDto> {
    if (principal.kind !== 'user')
      throw new AppError('forbidden', 'Only a logged-in user can change a password');
    const user = await this.users.get(principal.userId);
    if (!(await verifyPassword(dto.current_password, user.passwordHash))) {
      throw new AppError('invalid_credentials', 'Current password is wrong');
    }
    await this.users.setPassword(user.id, dto.new_password);
    return UserDto.from(user);
  }
}
