import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NodesModule } from '../nodes/nodes.module';
import { RoutingModule } from '../routing/routing.module';
import { TasksModule } from '../tasks/tasks.module';
import { CatalogService } from './catalog.service';
import { HfHubClient } from './hf-hub.client';
import { ModelsController } from './models.controller';
import { ModelsRepository } from './models.repository';
import { ModelsService } from './models.service';
import { RegisteredModelEntity } from './registered-model.entity';

/** Hugging Face GGUF catalog, registered models and their manifests. */
@Module({
  imports: [
    TypeOrmModule.forFeature([RegisteredModelEntity]),
    NodesModule,
    RoutingModule,
    TasksModule,
  ],
  controllers: [ModelsController],
  providers: [ModelsRepository, HfHubClient, CatalogService, ModelsService],
  exports: [ModelsService],
})
export class ModelsModule {}
