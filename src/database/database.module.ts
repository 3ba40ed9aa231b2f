import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { DatabaseHealth } from './database.health';
import { makeDatabaseFilesPrivate } from './database-files';

/**
 * Opens the SQLite database (WAL, synchronous=FULL, busy timeout; files mode 0600) and
 * applies pending migrations at boot.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        if (config.database.path !== ':memory:') makeDatabaseFilesPrivate(config.database.path);
        return { ...buildDataSourceOptions(config), retryAttempts: 0 };
      },
    }),
  ],
  providers: [DatabaseHealth],
  exports: [DatabaseHealth],
})
export class DatabaseModule {}
