import { MigrationInterface, QueryRunner } from 'typeorm';

/** Nodes say how they get pulls (`push`: POST to the node, `poll`: heartbeat answers), which
 * agent version runs them and how many requests their runtime serves at once. */
export class NodePullMode1763700500000 implements MigrationInterface {
  name = 'NodePullMode1763700500000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "nodes" ADD COLUMN "pull_mode" varchar(8) NOT NULL DEFAULT ('push')`,
    );
    await queryRunner.query(`ALTER TABLE "nodes" ADD COLUMN "agent_version" varchar(64)`);
    await queryRunner.query(`ALTER TABLE "nodes" ADD COLUMN "max_concurrency" integer`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "nodes" DROP COLUMN "max_concurrency"`);
    await queryRunner.query(`ALTER TABLE "nodes" DROP COLUMN "agent_version"`);
    await queryRunner.query(`ALTER TABLE "nodes" DROP COLUMN "pull_mode"`);
  }
}
