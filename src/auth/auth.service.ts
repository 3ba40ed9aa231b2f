import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { ChangePasswordDto, LoginDto, LoginResponseDto, MeResponseDto } from './dto/login.dto';
import { UserDto } from './dto/user.dto';
import { LoginThrottle } from './login-throttle';
import { needsRehash, verifyPassword } from './password';
import { PERMISSIONS, roleAllows } from './permissions';
import type { Principal } from './principal';
import { UsersService } from './users.service';

interface JwtClaims {
  sub: string;
  username: string;
  role: string;
  /** The user's token version when the token was issued (see UsersService). */
  ver?: number;
  exp?: number;
}

const MINUTE = 60_000;
/** Longest lockout after repeated failures (each lockout doubles, from one minute). */
const MAX_LOCK_MS = 60 * MINUTE;

/** Login, JWTs, the current principal and password changes. */
@Injectable()
export class AuthService {
  private readonly byUserAndIp: LoginThrottle;
  private readonly byIp: LoginThrottle;

  constructor(
    private readonly users: UsersService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const perMinute = config.auth.loginRateLimitPerMinute;
    // Attempts per (username, source address): failures from elsewhere cannot lock a user
    // out. And (more generously) per source address, against spraying many usernames.
    this.byUserAndIp = new LoginThrottle(perMinute, MINUTE, MAX_LOCK_MS);
    this.byIp = new LoginThrottle(perMinute * 3, MINUTE, MAX_LOCK_MS);
  }

  async login(dto: LoginDto, ip: string): Promise<LoginResponseDto> {
    const userKey = `${dto.username.toLowerCase()}\n${ip}`;
    // Counted before the password is checked, so concurrent guesses cannot all get through.
    const perIp = this.byIp.attempt(ip);
    const perUser = perIp.ok ? this.byUserAndIp.attempt(userKey) : perIp;
    if (!perUser.ok || !perIp.ok) {
      if (perIp.ok) this.byIp.refund(ip);
      const retry = perUser.ok ? 0 : perUser.retryAfterSecs;
      throw new AppError('rate_limited', `Too many login attempts; retry in ${retry} s`);
    }
    const user = await this.users.findByUsername(dto.username);
    const ok = await verifyPassword(dto.password, user?.passwordHash ?? null);
    if (!user || !ok) throw new AppError('invalid_credentials');
    this.byUserAndIp.clear(userKey);
    this.byIp.refund(ip);
    if (needsRehash(user.passwordHash)) await this.users.rehash(user.id, dto.password);
    const claims: JwtClaims = {
      sub: user.id,
      username: user.username,
      role: user.role,
      ver: user.tokenVersion ?? 0,
    };
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
    // A token without an expiry would be valid forever: never accepted.
    if (typeof claims.exp !== 'number') return null;
    const user = this.users.lookup(claims.sub);
    if (!user || (claims.ver ?? 0) !== user.tokenVersion) return null;
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
