import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A GGUF file from Hugging Face registered as a model the fleet may download. */
@Entity('registered_models')
export class RegisteredModelEntity {
  @PrimaryColumn({ type: 'varchar', length: 512 }) name: string;

  @Column({ type: 'varchar', length: 255 }) repo: string;

  @Column({ type: 'varchar', length: 512 }) filename: string;

  /** Null when the hub did not say (no x-linked-size nor content-length). */
  @Column({ name: 'size_bytes', type: 'integer', nullable: true }) sizeBytes: number | null;

  @Column({ name: 'download_url', type: 'varchar', length: 2048 }) downloadUrl: string;

  @CreateDateColumn({ name: 'created_at' }) createdAt: Date;
}
