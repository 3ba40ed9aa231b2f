import { MigrationInterface, QueryRunner } from 'typeorm';

export class Endpoints1763700200000 implements MigrationInterface {
  name = 'Endpoints1763700200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "endpoints" ("id" varchar PRIMARY KEY NOT NULL, "name" varchar(100) NOT NULL, "base_url" varchar(2048) NOT NULL, "api_key_encrypted" text, "endpoint_type" varchar(32) NOT NULL, "type_source" varchar(16) NOT NULL, "status" varchar(16) NOT NULL, "enabled" boolean NOT NULL DEFAULT (1), "priority" integer NOT NULL DEFAULT (50), "health_check_interval_secs" integer NOT NULL DEFAULT (30), "inference_timeout_secs" integer NOT NULL DEFAULT (120), "latency_ms" integer, "last_checked_at" datetime, "last_online_at" datetime, "last_error" text, "consecutive_failures" integer NOT NULL DEFAULT (0), "models_synced_at" datetime, "notes" text, "registered_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL)`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "IDX_endpoints_name" ON "endpoints" ("name") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "IDX_endpoints_base_url" ON "endpoints" ("base_url") `,
    );
    await queryRunner.query(
      `CREATE TABLE "endpoint_status_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "endpoint_id" varchar(36) NOT NULL, "from_status" varchar(16) NOT NULL, "to_status" varchar(16) NOT NULL, "cause" varchar(16) NOT NULL, "error" text, "latency_ms" integer, "at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_endpoint_status_events_endpoint_at" ON "endpoint_status_events" ("endpoint_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "endpoint_models" ("endpoint_id" varchar(36) NOT NULL, "model_id" varchar(512) NOT NULL, "max_tokens" integer, "capabilities" text NOT NULL, "last_synced_at" datetime NOT NULL, PRIMARY KEY ("endpoint_id", "model_id"))`,
    );
    await queryRunner.query(`DROP INDEX "IDX_endpoint_status_events_endpoint_at"`);
    await queryRunner.query(
      `CREATE TABLE "temporary_endpoint_status_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "endpoint_id" varchar(36) NOT NULL, "from_status" varchar(16) NOT NULL, "to_status" varchar(16) NOT NULL, "cause" varchar(16) NOT NULL, "error" text, "latency_ms" integer, "at" datetime NOT NULL DEFAULT (datetime('now')), CONSTRAINT "FK_7892b2033271b571290af83ae3e" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints" ("id") ON DELETE CASCADE ON UPDATE NO ACTION)`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_endpoint_status_events"("id", "endpoint_id", "from_status", "to_status", "cause", "error", "latency_ms", "at") SELECT "id", "endpoint_id", "from_status", "to_status", "cause", "error", "latency_ms", "at" FROM "endpoint_status_events"`,
    );
    await queryRunner.query(`DROP TABLE "endpoint_status_events"`);
    await queryRunner.query(
      `ALTER TABLE "temporary_endpoint_status_events" RENAME TO "endpoint_status_events"`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_endpoint_status_events_endpoint_at" ON "endpoint_status_events" ("endpoint_id", "at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "temporary_endpoint_models" ("endpoint_id" varchar(36) NOT NULL, "model_id" varchar(512) NOT NULL, "max_tokens" integer, "capabilities" text NOT NULL, "last_synced_at" datetime NOT NULL, CONSTRAINT "FK_1ba03a632365e492f5d9e0b3b04" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints" ("id") ON DELETE CASCADE ON UPDATE NO ACTION, PRIMARY KEY ("endpoint_id", "model_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "temporary_endpoint_models"("endpoint_id", "model_id", "max_tokens", "capabilities", "last_synced_at") SELECT "endpoint_id", "model_id", "max_tokens", "capabilities", "last_synced_at" FROM "endpoint_models"`,
    );
    await queryRunner.query(`DROP TABLE "endpoint_models"`);
    await queryRunner.query(`ALTER TABLE "temporary_endpoint_models" RENAME TO "endpoint_models"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoint_models" RENAME TO "temporary_endpoint_models"`);
    await queryRunner.query(
      `CREATE TABLE "endpoint_models" ("endpoint_id" varchar(36) NOT NULL, "model_id" varchar(512) NOT NULL, "max_tokens" integer, "capabilities" text NOT NULL, "last_synced_at" datetime NOT NULL, PRIMARY KEY ("endpoint_id", "model_id"))`,
    );
    await queryRunner.query(
      `INSERT INTO "endpoint_models"("endpoint_id", "model_id", "max_tokens", "capabilities", "last_synced_at") SELECT "endpoint_id", "model_id", "max_tokens", "capabilities", "last_synced_at" FROM "temporary_endpoint_models"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_endpoint_models"`);
    await queryRunner.query(`DROP INDEX "IDX_endpoint_status_events_endpoint_at"`);
    await queryRunner.query(
      `ALTER TABLE "endpoint_status_events" RENAME TO "temporary_endpoint_status_events"`,
    );
    await queryRunner.query(
      `CREATE TABLE "endpoint_status_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "endpoint_id" varchar(36) NOT NULL, "from_status" varchar(16) NOT NULL, "to_status" varchar(16) NOT NULL, "cause" varchar(16) NOT NULL, "error" text, "latency_ms" integer, "at" datetime NOT NULL DEFAULT (datetime('now')))`,
    );
    await queryRunner.query(
      `INSERT INTO "endpoint_status_events"("id", "endpoint_id", "from_status", "to_status", "cause", "error", "latency_ms", "at") SELECT "id", "endpoint_id", "from_status", "to_status", "cause", "error", "latency_ms", "at" FROM "temporary_endpoint_status_events"`,
    );
    await queryRunner.query(`DROP TABLE "temporary_endpoint_status_events"`);
    await queryRunner.query(
      `CREATE INDEX "IDX_endpoint_status_events_endpoint_at" ON "endpoint_status_events" ("endpoint_id", "at") `,
    );
    await queryRunner.query(`DROP TABLE "endpoint_models"`);
    await queryRunner.query(`DROP INDEX "IDX_endpoint_status_events_endpoint_at"`);
    await queryRunner.query(`DROP TABLE "endpoint_status_events"`);
    await queryRunner.query(`DROP INDEX "IDX_endpoints_base_url"`);
    await queryRunner.query(`DROP INDEX "IDX_endpoints_name"`);
    await queryRunner.query(`DROP TABLE "endpoints"`);
  }
}
