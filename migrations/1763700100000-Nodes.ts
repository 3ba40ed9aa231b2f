import { MigrationInterface, QueryRunner } from 'typeorm';

export class Nodes1763700100000 implements MigrationInterface {
  name = 'Nodes1763700100000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "nodes" ("id" varchar(36) PRIMARY KEY NOT NULL, "machine_name" varchar(255) NOT NULL, "ip_address" varchar(45) NOT NULL, "runtime_version" varchar(64) NOT NULL, "runtime_port" integer NOT NULL, "status" varchar(16) NOT NULL, "gpu_available" boolean NOT NULL, "gpu_devices" text NOT NULL, "gpu_count" integer NOT NULL, "gpu_model" varchar(255), "supported_runtimes" text NOT NULL, "loaded_models" text NOT NULL, "loaded_embedding_models" text NOT NULL, "ready_models" text, "initializing" boolean NOT NULL DEFAULT (0), "cpu_usage" real, "memory_usage" real, "gpu_usage" real, "active_requests" integer, "extra_metrics" text, "token_hash" varchar(64), "registered_at" datetime NOT NULL, "last_seen" datetime, "online_since" datetime, "custom_name" varchar(255), "tags" text NOT NULL, "notes" text)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_nodes_token_hash" ON "nodes" ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_nodes_address" ON "nodes" ("ip_address", "runtime_port") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_nodes_address"`);
    await queryRunner.query(`DROP INDEX "IDX_nodes_token_hash"`);
    await queryRunner.query(`DROP TABLE "nodes"`);
  }
}
