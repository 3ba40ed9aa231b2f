import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskStore } from './task-store.service';
import { TaskEntity } from './task.entity';
import { TasksRepository } from './tasks.repository';

/**
 * Persistent tasks and their live progress. Imports no other feature module, so every module
 * that shows or drives tasks (models, nodes, downloads, fleet metrics) may import it.
 */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity])],
  providers: [TasksRepository, TaskStore],
  exports: [TaskStore],
})
export class TasksModule {}
