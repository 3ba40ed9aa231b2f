import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Another name for a set of models: a request for the alias goes to any backend of any target. */
@Entity('model_aliases')
export class ModelAliasEntity {
  @PrimaryColumn({ type: 'varchar', length: 512 }) alias: string;

  /** Model ids, in the order they were given. */
  @Column({ type: 'simple-json' }) targets: string[];

  @CreateDateColumn({ name: 'created_at' }) createdAt: Date;

  @Column({ name: 'updated_at', type: 'datetime' }) updatedAt: Date;
}
