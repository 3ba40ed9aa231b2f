import { Module } from '@nestjs/common';
import { RoutingModule } from '../routing/routing.module';
import { StatsModule } from '../stats/stats.module';
import { AnthropicMessagesController } from './anthropic/messages.controller';
import { CloudProviders } from './cloud/cloud-providers';
import { InferenceController } from './inference.controller';
import { OpenAiModelsController } from './models.controller';
import { ModelsListService } from './models.service';
import { OllamaModelsService } from './ollama/ollama-models.service';
import { OllamaController } from './ollama/ollama.controller';
import { UpstreamAttempt } from './attempt';
import { ProxyPlanner } from './planner';
import { ProxyService } from './proxy.service';
import { StreamRelayer } from './stream-relay';
import { UpstreamPools } from './upstream-pools';

/** The OpenAI-compatible `/v1` API: models listing and the forwarding hot path. */
@Module({
  imports: [RoutingModule, StatsModule],
  controllers: [
    OpenAiModelsController,
    InferenceController,
    AnthropicMessagesController,
    OllamaController,
  ],
  providers: [
    ProxyService,
    ProxyPlanner,
    UpstreamAttempt,
    StreamRelayer,
    UpstreamPools,
    CloudProviders,
    ModelsListService,
    OllamaModelsService,
  ],
})
export class ProxyModule {}
