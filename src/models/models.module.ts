import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { NodesModule } from '../nodes/nodes.module';
import { RoutingModule } from '../routing/routing.module';
import { TasksModule } from '../tasks/tasks.module';
import { CatalogService } from './catalog.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HfHubClient, hubHttpOptions } from './hf-hub.client';
import { ModelAliasEntity } from './model-alias.entity';
import { ModelAliasesController } from './model-aliases.controller';
import { ModelAliasesRepository } from './model-aliases.repository';
import { ModelAliasesService } from './model-aliases.service';
import { ModelsController } from './models.controller';
import { ModelsRepository } from './models.repository';
import { ModelsService } from './models.service';
import { RegisteredModelEntity } from './registered-model.entity';

/** Hugging Face GGUF catalog, registered models and their manifests, model aliases. */
@Module({
  imports: [
    TypeOrmModule.forFeature([RegisteredModelEntity, ModelAliasEntity]),
    NodesModule,
    RoutingModule,
    TasksModule,
    // The hub's own axios instance (docs/adr/0007-http-clients.md).
    HttpModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => hubHttpOptions(config),
    }),
  ],
  controllers: [ModelsController, ModelAliasesController],
  providers: [
    ModelsRepository,
    HfHubClient,
    CatalogService,
    ModelsService,
    ModelAliasesRepository,
    ModelAliasesService,
  ],
  exports: [ModelsService],
})
export class ModelsModule {}
