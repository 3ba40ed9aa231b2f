import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TaskStore } from './task-store.service';
import { TaskEntity } from './task.entity';
import { TasksRepository } from './tasks.repository';

/** Task persistence and live state, shared by models (running tasks) and downloads. */
@Module({
  imports: [TypeOrmModule.forFeature([TaskEntity])],
  providers: [TasksRepository, TaskStore],
  exports: [TaskStore],
})
export class TasksStoreModule {}
