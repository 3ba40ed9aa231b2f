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

/** Rows per INSERT statement (SQLite caps bound variables; 20 columns × 400 rows is safe). */
const ROWS_PER_STATEMENT = 400;

/** Column order of the batch INSERT (TypeORM's insert builder is quadratic in rows × params). */
const COLUMNS = [
  'id',
  'created_at',
  'request_id',
  'api_key_id',
  'user_id',
  'operation',
  'model',
  'backend_id',
  'backend_name',
  'status',
  'error_code',
  'stream',
  'latency_ms',
  'ttft_ms',
  'overhead_ms',
  'prompt_tokens',
  'completion_tokens',
  'attempts',
  'request_body',
  'response_body',
] as const;
const ROW_PLACEHOLDERS = `(${COLUMNS.map(() => '?').join(',')})`;

function rowValues(r: RequestRecordEntity): unknown[] {
  return [
    r.id,
    sqlDate(r.createdAt),
    r.requestId,
    r.apiKeyId,
    r.userId,
    r.operation,
    r.model,
    r.backendId,
    r.backendName,
    r.status,
    r.errorCode,
    r.stream ? 1 : 0,
    r.latencyMs,
    r.ttftMs,
    r.overheadMs,
    r.promptTokens,
    r.completionTokens,
    r.attempts,
    r.requestBody,
    r.responseBody,
  ];
}

/** The stored datetime format of the SQLite driver (UTC, no `T`/`Z`), for comparisons. */
function sqlDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '');
}

@Injectable()
export class RequestRecordsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Writes a batch in one transaction (multi-row INSERTs with bound parameters). */
  async insertBatch(rows: RequestRecordEntity[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ds.transaction(async (m) => {
      for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
        const chunk = rows.slice(i, i + ROWS_PER_STATEMENT);
        const sql = `INSERT INTO "request_history" (${COLUMNS.map((c) => `"${c}"`).join(',')}) VALUES ${chunk
          .map(() => ROW_PLACEHOLDERS)
          .join(',')}`;
        await m.query(sql, chunk.flatMap(rowValues));
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

  /** The newest `limit` rows since `from` (bodies left out), oldest first. */
  async findSince(from: Date, limit: number): Promise<RequestRecordEntity[]> {
    const rows = await this.ds
      .getRepository(RequestRecordEntity)
      .createQueryBuilder('r')
      .select([
        'r.createdAt',
        'r.model',
        'r.backendId',
        'r.backendName',
        'r.status',
        'r.errorCode',
        'r.latencyMs',
        'r.ttftMs',
        'r.promptTokens',
        'r.completionTokens',
      ])
      .where('r.created_at >= :from', { from: sqlDate(from) })
      .orderBy('r.created_at', 'DESC')
      .take(limit)
      .getMany();
    return rows.reverse();
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
