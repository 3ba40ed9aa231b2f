import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DirectoryModule } from '../downloads/directory.module';
import { TasksStoreModule } from '../downloads/tasks-store.module';
import { CatalogService } from './catalog.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { HfHubClient, hubHttpOptions } from './hf-hub.client';
import { ModelsController } from './models.controller';
import { ModelsRepository } from './models.repository';
import { ModelsService } from './models.service';
import { RegisteredModelEntity } from './registered-model.entity';

/** Hugging Face GGUF catalog, registered models and their manifests. */
@Module({
  imports: [
    TypeOrmModule.forFeature([RegisteredModelEntity]),
    // The hub's own axios instance (docs/adr/0006-http-clients.md).
    HttpModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => hubHttpOptions(config),
    }),
    DirectoryModule,
    TasksStoreModule,
  ],
  controllers: [ModelsController],
  providers: [ModelsRepository, HfHubClient, CatalogService, ModelsService],
  exports: [ModelsService],
})
export class ModelsModule {}
