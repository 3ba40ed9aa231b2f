import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { ModelsModule } from '../models/models.module';
import { NodesModule } from '../nodes/nodes.module';
import {
  EndpointDownloadsController,
  NodeDownloadsController,
  TasksController,
} from './downloads.controller';
import { EndpointDownloadsService } from './endpoint-downloads.service';
import { NodePullsService } from './node-pulls.service';
import { TasksService } from './tasks.service';
import { TasksModule } from '../tasks/tasks.module';

/**
 * Node pulls, endpoint downloads and the task routes. Sits above models, tasks, nodes and
 * endpoints and calls their services directly; none of them imports downloads.
 */
@Module({
  imports: [ModelsModule, TasksModule, NodesModule, EndpointsModule],
  controllers: [NodeDownloadsController, TasksController, EndpointDownloadsController],
  providers: [NodePullsService, EndpointDownloadsService, TasksService],
  exports: [NodePullsService],
})
export class DownloadsModule {}
