import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { RequestRecordEntity } from './request-record.entity';

export interface RequestHistoryFilter {
  model?: string;
  backendId?: string;
  status?: number;
  from?: Date;
  to?: Date;
}

/** Rows per INSERT statement (SQLite caps bound variables; 19 columns × 400 rows is safe). */
const ROWS_PER_STATEMENT = 400;

/** The stored datetime format of the SQLite driver (UTC, no `T`/`Z`), for comparisons. */
function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

@Injectable()
export class RequestRecordsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Writes a batch in one transaction. */
  async insertBatch(rows: RequestRecordEntity[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ds.transaction(async (m) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        await m.insert(RequestRecordEntity, rows.slice(i, i + ROWS_PER_STATEMENT));
      }
    });
  }

  async find(
    filter: RequestHistoryFilter,
    page: number,
    perPage: number,
  ): Promise<[RequestRecordEntity[], number]> {
    const qb = this.ds.getRepository(RequestRecordEntity).createQueryBuilder('r');
    if (filter.model !== undefined) qb.andWhere('r.model = :model', { model: filter.model });
    if (filter.backendId !== undefined)
      qb.andWhere('r.backend_id = :backendId', { backendId: filter.backendId });
    if (filter.status !== undefined) qb.andWhere('r.status = :status', { status: filter.status });
    if (filter.from) qb.andWhere('r.created_at >= :from', { from: sqlDate(filter.from) });
    if (filter.to) qb.andWhere('r.created_at < :to', { to: sqlDate(filter.to) });
    return qb
      .orderBy('r.created_at', 'DESC')
      .addOrderBy('r.id', 'ASC')
      .skip((page - 1) * perPage)
      .take(perPage)
      .getManyAndCount();
  }

  /** Deletes rows older than `cutoff`; returns how many went. */
  async deleteOlderThan(cutoff: Date): Promise<number> {
    const res = await this.ds
      .createQueryBuilder()
      .delete()
      .from(RequestRecordEntity)
      .where('created_at < :cutoff', { cutoff: sqlDate(cutoff) })
      .execute();
    return res.affected ?? 0;
  }
}
