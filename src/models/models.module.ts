import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '../downloads/directory.module';
import { TasksStoreModule } from '../downloads/tasks-store.module';
import { CatalogService } from './catalog.service';
import { RoutingModule } from '../routing/routing.module';
import { HfHubClient } from './hf-hub.client';
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
    DirectoryModule,
    TasksStoreModule,
    RoutingModule,
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
