/**
 * Capabilities guessed from a model id (spec §5.4): when the last path segment starts with
 * `embed` or contains `-embed` / `_embed` the model makes embeddings, else it chats.
 */
export function capabilitiesFor(modelId: string): string[] {
  const last = (modelId.split('/').pop() ?? modelId).toLowerCase();
  if (last.startsWith('embed') || last.includes('-embed') || last.includes('_embed'))
    return ['embeddings'];
  return ['chat'];
}
