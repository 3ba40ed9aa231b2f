import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { Role } from './permissions';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;

  @Column({ type: 'varchar', length: 64, unique: true }) username: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 100 }) passwordHash: string;

  @Column({ type: 'varchar', length: 16 }) role: Role;

  /** Bumped on every password change; a JWT carries the version it was issued for. */
  @Column({ name: 'token_version', type: 'integer', default: 0 }) tokenVersion: number;

  @CreateDateColumn({ name: 'created_at' }) createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at' }) updatedAt: Date;
}
