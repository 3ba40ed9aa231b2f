import { MigrationInterface, QueryRunner } from 'typeorm';

/** Backend slots (endpoint setting and detected value, node report) and model aliases. */
export class Scheduling1764690000000 implements MigrationInterface {
  name = 'Scheduling1764690000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "endpoints" ADD COLUMN "max_concurrency" integer`);
    await queryRunner.query(
      `ALTER TABLE "endpoints" ADD COLUMN "detected_max_concurrency" integer`,
    );
    await queryRunner.query(
      `CREATE TABLE "model_aliases" ("alias" varchar(512) PRIMARY KEY NOT NULL, "targets" text NOT NULL, "created_at" datetime NOT NULL DEFAULT (datetime('now')), "updated_at" datetime NOT NULL)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "model_aliases"`);
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "detected_max_concurrency"`);
    await queryRunner.query(`ALTER TABLE "endpoints" DROP COLUMN "max_concurrency"`);
  }
}
