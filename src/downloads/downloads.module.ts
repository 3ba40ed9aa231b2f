import { Module } from '@nestjs/common';
import { ModelsModule } from '../models/models.module';
import { DirectoryModule } from './directory.module';
import {
  EndpointDownloadsController,
  NodeDownloadsController,
  TasksController,
} from './downloads.controller';
import { EndpointDownloadsService } from './endpoint-downloads.service';
import { NodePullsService } from './node-pulls.service';
import { TasksService } from './tasks.service';
import { TasksModule } from '../tasks/tasks.module';

/** Tasks, node pulls, endpoint downloads and their progress. */
@Module({
  imports: [ModelsModule, DirectoryModule, TasksModule],
  controllers: [NodeDownloadsController, TasksController, EndpointDownloadsController],
  providers: [NodePullsService, EndpointDownloadsService, TasksService],
  exports: [NodePullsService],
})
export class DownloadsModule {}
