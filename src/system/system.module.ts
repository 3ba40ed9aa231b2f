import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { SystemController } from './system.controller';

@Module({ imports: [DatabaseModule], controllers: [SystemController] })
export class SystemModule {}
