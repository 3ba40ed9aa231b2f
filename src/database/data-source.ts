import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { readEnvironment } from '../config/environment';
import { loadConfig } from '../config/load-config';
import { buildDataSourceOptions } from './data-source-options';

/** Used by the TypeORM CLI (`npm run migration:generate -- migrations/Name`). */
export default new DataSource(buildDataSourceOptions(loadConfig(readEnvironment())));
