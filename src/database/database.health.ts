import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Readiness of the database: reachable and every migration applied. */
@Injectable()
export class DatabaseHealth {
  constructor(private readonly dataSource: DataSource) {}

  async check(): Promise<{ ok: boolean; error?: string }> {
    try {
      if (!this.dataSource.isInitialized) return { ok: false, error: 'database not initialized' };
      await this.dataSource.query('SELECT 1');
      const pending = await this.dataSource.showMigrations();
      return pending ? { ok: false, error: 'migrations pending' } : { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }
}
