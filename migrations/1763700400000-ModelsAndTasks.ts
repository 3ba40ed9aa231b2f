import { MigrationInterface, QueryRunner } from 'typeorm';

export class ModelsAndTasks1763700400000 implements MigrationInterface {
  name = 'ModelsAndTasks1763700400000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "registered_models" ("name" varchar(512) PRIMARY KEY NOT NULL, "repo" varchar(255) NOT NULL, "filename" varchar(512) NOT NULL, "size_bytes" integer, "download_url" varchar(2048) NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE TABLE "tasks" ("id" varchar(36) PRIMARY KEY NOT NULL, "kind" varchar(32) NOT NULL, "model" varchar(512) NOT NULL, "filename" varchar(512), "node_id" varchar(36), "endpoint_id" varchar(36), "status" varchar(16) NOT NULL, "progress" real NOT NULL DEFAULT (0), "downloaded_bytes" integer, "total_bytes" integer, "speed_bps" real, "eta_seconds" real, "error" text, "remote_task_id" varchar(255), "created_at" datetime NOT NULL, "started_at" datetime, "completed_at" datetime, "updated_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_tasks_endpoint_id" ON "tasks" ("endpoint_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_tasks_node_id" ON "tasks" ("node_id") `);
    await queryRunner.query(`CREATE INDEX "IDX_tasks_status" ON "tasks" ("status") `);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_tasks_status"`);
    await queryRunner.query(`DROP INDEX "IDX_tasks_node_id"`);
    await queryRunner.query(`DROP INDEX "IDX_tasks_endpoint_id"`);
    await queryRunner.query(`DROP TABLE "tasks"`);
    await queryRunner.query(`DROP TABLE "registered_models"`);
  }
}
