import { MigrationInterface, QueryRunner } from 'typeorm';

/** users.token_version: bumped when a password changes, so that older JWTs stop working. */
export class UserTokenVersion1763700510000 implements MigrationInterface {
  name = 'UserTokenVersion1763700510000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "users" ADD COLUMN "token_version" integer NOT NULL DEFAULT (0)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "token_version"`);
  }
}
