import { MigrationInterface, QueryRunner } from 'typeorm';

export class RequestHistory1763700300000 implements MigrationInterface {
  name = 'RequestHistory1763700300000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "request_history" ("id" varchar(36) PRIMARY KEY NOT NULL, "created_at" datetime NOT NULL, "request_id" varchar(128) NOT NULL, "api_key_id" varchar(36), "user_id" varchar(36), "operation" varchar(32) NOT NULL, "model" varchar(255) NOT NULL, "backend_id" varchar(64), "backend_name" varchar(255), "status" integer NOT NULL, "error_code" varchar(64), "stream" boolean NOT NULL, "latency_ms" real NOT NULL, "ttft_ms" real, "overhead_ms" real NOT NULL, "prompt_tokens" integer, "completion_tokens" integer, "attempts" integer NOT NULL, "request_body" text, "response_body" text)`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_history_backend_created_at" ON "request_history" ("backend_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_history_model_created_at" ON "request_history" ("model", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_request_history_created_at" ON "request_history" ("created_at") `,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_request_history_created_at"`);
    await queryRunner.query(`DROP INDEX "IDX_request_history_model_created_at"`);
    await queryRunner.query(`DROP INDEX "IDX_request_history_backend_created_at"`);
    await queryRunner.query(`DROP TABLE "request_history"`);
  }
}
