import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Permission } from './permissions';

@Entity('api_keys')
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 100 }) name: string;

  /** SHA-256 (hex) of the plaintext key; the plaintext is never stored. */
  @Index('IDX_api_keys_key_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'varchar', length: 64 })
  keyHash: string;

  @Column({ name: 'key_prefix', type: 'varchar', length: 16 }) keyPrefix: string;

  @Column({ type: 'simple-json' }) permissions: Permission[];

  @Column({ name: 'created_by', type: 'varchar', length: 36, nullable: true }) createdBy:
    string | null;

  @Column({ name: 'expires_at', type: 'datetime', nullable: true }) expiresAt: Date | null;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true }) revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at' }) createdAt: Date;
}
