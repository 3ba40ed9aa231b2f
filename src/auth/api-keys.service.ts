import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { randomBase62, sha256Hex } from '../common/tokens';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { roleAllows, type Permission } from './permissions';
import type { Principal } from './principal';
import { UsersService } from './users.service';

interface CachedKey {
  id: string;
  name: string;
  permissions: Permission[];
  expiresAt: number | null;
  /** The user or key that created this one (null: created before creators were recorded). */
  createdBy: string | null;
}

/** Longest chain of keys created by keys that is followed (a guard, chains are short). */
const MAX_CHAIN = 16;

/**
 * API keys: `sk_` + 40 base62 characters, stored as SHA-256, shown once. Active keys are
 * kept in memory by hash so that authenticating a request never touches the database.
 * A key never has more than its creator: its permissions are cut to what the creator (a
 * user's current role, or the creating key, recursively) holds now, and it stops working
 * when the creator is deleted, revoked or expired; it cannot be created to expire later
 * than a creating key.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  private byHash = new Map<string, CachedKey>();
  private byId = new Map<string, CachedKey>();

  constructor(
    private readonly keys: ApiKeysRepository,
    private readonly users: UsersService,
  ) {}

  async onModuleInit(): Promise<void> {
    const active = await this.keys.findActive();
    this.byHash = new Map();
    this.byId = new Map();
    for (const k of active) this.remember(this.toCached(k), k.keyHash);
  }

  /**
   * The key's identity and effective permissions when it is known, not revoked, not expired
   * and its creator still stands.
   */
  verify(plaintext: string): Omit<CachedKey, 'createdBy'> | null {
    // The map lookup is by a hash of the secret, so timing reveals nothing about the key.
    const k = this.byHash.get(sha256Hex(plaintext));
    if (!k) return null;
    const permissions = this.effectivePermissions(k, Date.now(), 0);
    if (!permissions) return null;
    return { id: k.id, name: k.name, permissions, expiresAt: k.expiresAt };
  }

  /** `k`'s permissions cut to its creator's, or null when `k` or a creator is not valid. */
  private effectivePermissions(k: CachedKey, now: number, depth: number): Permission[] | null {
    if (k.expiresAt !== null && k.expiresAt <= now) return null;
    if (k.createdBy === null) return k.permissions;
    const user = this.users.lookup(k.createdBy);
    if (user) return k.permissions.filter((p) => roleAllows(user.role, p));
    const parent = this.byId.get(k.createdBy);
    if (!parent || depth >= MAX_CHAIN) return null; // creator deleted or revoked
    const held = this.effectivePermissions(parent, now, depth + 1);
    if (!held) return null;
    if (k.permissions.every((p) => held.includes(p))) return k.permissions;
    return k.permissions.filter((p) => held.includes(p));
  }

  async list(): Promise<ApiKeyListDto> {
    const keys = await this.keys.findActive();
    return { api_keys: keys.map(ApiKeyDto.from), total: keys.length };
  }

  async create(dto: CreateApiKeyDto, creator: Principal | undefined): Promise<CreatedApiKeyDto> {
    // A key may only hand out permissions its creator holds.
    if (creator?.kind === 'api_key') {
      const missing = dto.permissions.filter((p) => !creator.permissions.includes(p));
      if (missing.length)
        throw new AppError(
          'forbidden',
          `Cannot grant permissions you do not hold: ${missing.join(', ')}`,
        );
    } else if (creator?.kind === 'user') {
      const missing = dto.permissions.filter((p) => !roleAllows(creator.role, p));
      if (missing.length)
        throw new AppError(
          'forbidden',
          `Cannot grant permissions you do not hold: ${missing.join(', ')}`,
        );
    }
    let expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
    if (creator?.kind === 'api_key') {
      // A key made by a key never outlives it.
      const limit = this.byId.get(creator.keyId)?.expiresAt ?? null;
      if (limit !== null) {
        if (expiresAt === null) expiresAt = new Date(limit);
        else if (expiresAt.getTime() > limit)
          throw new AppError(
            'forbidden',
            `expires_at may not be later than the creating key's (${new Date(limit).toISOString()})`,
          );
      }
    }
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      throw new AppError('validation_failed', 'expires_at must be in the future', {
        details: [{ field: 'expires_at', message: 'must be in the future' }],
        param: 'expires_at',
      });
    }
    const plaintext = `sk_${randomBase62(40)}`;
    const saved = await this.keys.save({
      name: dto.name,
      keyHash: sha256Hex(plaintext),
      keyPrefix: plaintext.slice(0, 7),
      permissions: dto.permissions,
      createdBy:
        creator?.kind === 'user'
          ? creator.userId
          : creator?.kind === 'api_key'
            ? creator.keyId
            : null,
      expiresAt,
      revokedAt: null,
    });
    this.remember(this.toCached(saved), saved.keyHash);
    return { ...ApiKeyDto.from(saved), key: plaintext };
  }

  async revoke(id: string): Promise<void> {
    const key = await this.keys.findById(id);
    if (!key || key.revokedAt) throw new AppError('api_key_not_found');
    await this.keys.revoke(id, new Date());
    this.byHash.delete(key.keyHash);
    this.byId.delete(key.id);
  }

  private remember(k: CachedKey, keyHash: string): void {
    this.byHash.set(keyHash, k);
    this.byId.set(k.id, k);
  }

  private toCached(k: ApiKeyEntity): CachedKey {
    return {
      id: k.id,
      name: k.name,
      permissions: k.permissions,
      expiresAt: k.expiresAt ? k.expiresAt.getTime() : null,
      createdBy: k.createdBy,
    };
  }
}
