/**
 * The spec's name rule (§5.4) for embedding models, copied from
 * src/endpoints/model-capabilities.ts so the agent loads no server code (a unit test keeps the
 * two in step): the last path segment starts with `embed` or contains `-embed` / `_embed`.
 */
export function isEmbeddingModel(modelId: string): boolean {
  const last = (modelId.split('/').pop() ?? modelId).toLowerCase();
  return last.startsWith('embed') || last.includes('-embed') || last.includes('_embed');
}

/** Splits a runtime's model ids into chat models and embedding models. */
export function splitModels(ids: string[]): { chat: string[]; embeddings: string[] } {
  const chat: string[] = [];
  const embeddings: string[] = [];
  for (const id of ids) (isEmbeddingModel(id) ? embeddings : chat).push(id);
  return { chat, embeddings };
}
