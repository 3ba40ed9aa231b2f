import { join } from 'node:path';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppError } from '../common/app-error';
import { readOrCreateSecretFile } from '../common/secret-file';
import { randomBase62 } from '../common/tokens';
import { CreateUserDto, UpdateUserDto, UserDto, UserListDto } from './dto/user.dto';
import { hashPassword } from './password';
import type { Role } from './permissions';
import type { Principal } from './principal';
import { UserEntity } from './user.entity';
import { UsersRepository } from './users.repository';

export interface CachedUser {
  id: string;
  username: string;
  role: Role;
  /** JWTs issued for an older version (before a password change) are refused. */
  tokenVersion: number;
}

/**
 * Users and the first-boot admin. Keeps a small in-memory copy of every user (id, name,
 * role, token version) so that checking a JWT never touches the database and a demotion,
 * deletion or password change takes effect at once.
 */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly logger = new Logger(UsersService.name);
  private cache = new Map<string, CachedUser>();

  constructor(
    private readonly users: UsersRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.ensureInitialAdmin();
    await this.reloadCache();
  }

  lookup(id: string): CachedUser | undefined {
    return this.cache.get(id);
  }

  async list(): Promise<UserListDto> {
    const users = await this.users.findAll();
    return { users: users.map(UserDto.from), total: users.length };
  }

  async get(id: string): Promise<UserEntity> {
    const user = await this.users.findById(id);
    if (!user) throw new AppError('user_not_found');
    return user;
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.users.findByUsername(username);
  }

  async create(dto: CreateUserDto, by?: Principal): Promise<UserDto> {
    if (dto.role === 'admin') requireAdminSession(by, 'create an admin');
    if (await this.users.findByUsername(dto.username)) throw new AppError('username_taken');
    const user = await this.users.save({
      username: dto.username,
      passwordHash: await hashPassword(dto.password),
      role: dto.role,
    });
    this.remember(user);
    return UserDto.from(user);
  }

  async update(id: string, dto: UpdateUserDto, by?: Principal): Promise<UserDto> {
    if (dto.password !== undefined && !(by?.kind === 'user' && by.userId === id)) {
      requireAdminSession(by, "set another user's password");
    }
    if (dto.role === 'admin' && this.cache.get(id)?.role !== 'admin') {
      requireAdminSession(by, 'make a user an admin');
    }
    const passwordHash = dto.password ? await hashPassword(dto.password) : undefined;
    const saved = await this.users.transaction(async (repo) => {
      const user = await repo.findOne({ where: { id } });
      if (!user) throw new AppError('user_not_found');
      if (dto.role && dto.role !== 'admin' && user.role === 'admin') {
        if ((await repo.count({ where: { role: 'admin' } })) <= 1) throw new AppError('last_admin');
      }
      if (dto.role) user.role = dto.role;
      if (passwordHash) {
        user.passwordHash = passwordHash;
        user.tokenVersion += 1;
      }
      return repo.save(user);
    });
    this.remember(saved);
    return UserDto.from(saved);
  }

  /** Sets a new password; the user's existing JWTs stop working. */
  async setPassword(id: string, password: string): Promise<void> {
    const user = await this.get(id);
    user.passwordHash = await hashPassword(password);
    user.tokenVersion += 1;
    this.remember(await this.users.save(user));
  }

  /** Replaces an old-format hash of the same password (tokens stay valid). */
  async rehash(id: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    await this.users.updateHash(id, passwordHash);
  }

  async delete(id: string): Promise<void> {
    await this.users.transaction(async (repo) => {
      const user = await repo.findOne({ where: { id } });
      if (!user) throw new AppError('user_not_found');
      if (user.role === 'admin' && (await repo.count({ where: { role: 'admin' } })) <= 1) {
        throw new AppError('last_admin');
      }
      await repo.delete({ id });
    });
    this.cache.delete(id);
  }

  private remember(user: UserEntity): void {
    this.cache.set(user.id, toCached(user));
  }

  private async reloadCache(): Promise<void> {
    const all = await this.users.findAll();
    this.cache = new Map(all.map((u) => [u.id, toCached(u)]));
  }

  /** First boot: create the admin from the environment, or with a generated password. */
  private async ensureInitialAdmin(): Promise<void> {
    if ((await this.users.count()) > 0) return;
    const { adminUsername, adminPassword } = this.config.auth;
    let password = adminPassword;
    if (!password) {
      const file = join(this.config.server.dataDir, 'initial-admin-password');
      password = readOrCreateSecretFile(file, () => randomBase62(24)).value;
      this.logger.warn(
        `Created admin user "${adminUsername}" with a generated password: ${password} ` +
          `(also written to ${file}, mode 0600). Change it after logging in.`,
      );
    } else {
      this.logger.log(`Created admin user "${adminUsername}" from LLMLB_ADMIN_PASSWORD`);
    }
    await this.users.save({
      username: adminUsername,
      passwordHash: await hashPassword(password),
      role: 'admin',
    });
  }
}

/**
 * Creating or promoting admins and setting another user's password is reserved to an admin
 * signed in with a password (a JWT): an API key, whatever its permissions, cannot do it.
 */
function requireAdminSession(by: Principal | undefined, what: string): void {
  if (by?.kind === 'user' && by.role === 'admin') return;
  throw new AppError(
    'admin_session_required',
    `Only an admin signed in with a password may ${what}`,
  );
}

function toCached(u: UserEntity): CachedUser {
  return { id: u.id, username: u.username, role: u.role, tokenVersion: u.tokenVersion ?? 0 };
}
