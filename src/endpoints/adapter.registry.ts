import { Injectable } from '@nestjs/common';
import { ALL_ADAPTERS, type EndpointAdapter } from './adapters';
import { openAiCompatibleAdapter } from './adapters/openai-compatible.adapter';
import type { EndpointType } from './endpoint-types';

/** Looks adapters up by type; detection walks them in the spec's order. */
@Injectable()
export class EndpointAdapterRegistry {
  private readonly byType = new Map<string, EndpointAdapter>(ALL_ADAPTERS.map((a) => [a.type, a]));
  readonly inDetectionOrder: readonly EndpointAdapter[] = [...ALL_ADAPTERS].sort(
    (a, b) => a.detectionOrder - b.detectionOrder,
  );

  /** The adapter of a type; `unknown` (never detected) talks plain OpenAI. */
  get(type: EndpointType): EndpointAdapter {
    return this.byType.get(type) ?? openAiCompatibleAdapter;
  }

  supportsMetadata(type: EndpointType): boolean {
    return this.byType.get(type)?.supportsMetadata ?? false;
  }
}
