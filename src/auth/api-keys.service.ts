import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { randomBase62, sha256Hex } from '../common/tokens';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysRepository } from './api-keys.repository';
import { ApiKeyDto, ApiKeyListDto, CreateApiKeyDto, CreatedApiKeyDto } from './dto/api-key.dto';
import { roleAllows, type Permission } from './permissions';
import type { Principal } from './principal';

interface CachedKey {
  id: string;
  name: string;
  permissions: Permission[];
  expiresAt: number | null;
}

/**
 * API keys: `sk_` + 40 base62 characters, stored as SHA-256, shown once. Active keys are
 * kept in memory by hash so that authenticating a request never touches the database.
 */
@Injectable()
export class ApiKeysService implements OnModuleInit {
  private byHash = new Map<string, CachedKey>();

  constructor(private readonly keys: ApiKeysRepository) {}

  async onModuleInit(): Promise<void> {
    const active = await this.keys.findActive();
    this.byHash = new Map(active.map((k) => [k.keyHash, this.toCached(k)]));
  }

  /** The key's identity when it is known, not revoked and not expired. */
  verify(plaintext: string): CachedKey | null {
    // The map lookup is by a hash of the secret, so timing reveals nothing about the key.
    const k = this.byHash.get(sha256Hex(plaintext));
    if (!k) return null;
    if (k.expiresAt !== null && k.expiresAt <= Date.now()) return null;
    return k;
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
    const expiresAt = dto.expires_at ? new Date(dto.expires_at) : null;
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
    this.byHash.set(saved.keyHash, this.toCached(saved));
    return { ...ApiKeyDto.from(saved), key: plaintext };
  }

  async revoke(id: string): Promise<void> {
    const key = await this.keys.findById(id);
    if (!key || key.revokedAt) throw new AppError('api_key_not_found');
    await this.keys.revoke(id, new Date());
    this.byHash.delete(key.keyHash);
  }

  private toCached(k: ApiKeyEntity): CachedKey {
    return {
      id: k.id,
      name: k.name,
      permissions: k.permissions,
      expiresAt: k.expiresAt ? k.expiresAt.getTime() : null,
    };
  }
}
