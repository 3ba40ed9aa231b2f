import { AppError } from '../common/app-error';

/** The `/v1` operations the proxy forwards (path after `/v1/`). */
export type ProxyOperation =
  | 'chat/completions'
  | 'completions'
  | 'embeddings'
  | 'responses'
  | 'audio/transcriptions'
  | 'audio/translations'
  | 'audio/speech'
  | 'images/generations'
  | 'rerank';

/** What the proxy reads from a request body; everything else is forwarded untouched. */
export interface ParsedRequest {
  model: string;
  stream: boolean;
  /** The client asked for the final usage chunk itself (`stream_options.include_usage`). */
  clientWantsUsage: boolean;
  /** The parsed body (already parsed by the JSON content-type parser). */
  json: Record<string, unknown>;
  /** The exact bytes the client sent. */
  raw: Buffer;
}

export function parseProxyRequest(body: unknown, raw: Buffer | undefined): ParsedRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('model_required', 'The request body must be a JSON object naming a model', {
      param: 'model',
    });
  }
  const json = body as Record<string, unknown>;
  const model = json.model;
  if (typeof model !== 'string' || model.trim().length === 0) {
    throw new AppError('model_required', undefined, { param: 'model' });
  }
  const so = json.stream_options as Record<string, unknown> | null | undefined;
  return {
    model,
    stream: json.stream === true,
    clientWantsUsage: !!so && typeof so === 'object' && so.include_usage === true,
    json,
    raw: raw ?? Buffer.from(JSON.stringify(json)),
  };
}

/** Operations whose streams accept `stream_options.include_usage`. */
export function supportsStreamOptions(op: ProxyOperation): boolean {
  return op === 'chat/completions' || op === 'completions';
}

/**
 * The body to send upstream. The client's bytes are reused as they are; the only changes are
 * `model` (when the backend knows the model under another id) and, for streams where the client
 * did not ask for it, `stream_options.include_usage: true` so the proxy can record usage.
 *
 * When the client sent no `stream_options` at all, the field is spliced in after the opening
 * brace, leaving every other byte unchanged. Otherwise the body is re-serialized (equivalent JSON).
 */
export function upstreamBody(req: ParsedRequest, op: ProxyOperation, backendModel: string): Buffer {
  const addUsage = req.stream && !req.clientWantsUsage && supportsStreamOptions(op);
  const renameModel = backendModel !== req.model;
  if (!addUsage && !renameModel) return req.raw;
  if (!renameModel && !('stream_options' in req.json)) {
    const brace = req.raw.indexOf(0x7b /* { */);
    if (brace !== -1) {
      return Buffer.concat([
        req.raw.subarray(0, brace + 1),
        Buffer.from('"stream_options":{"include_usage":true},'),
        req.raw.subarray(brace + 1),
      ]);
    }
  }
  const json: Record<string, unknown> = { ...req.json, model: backendModel };
  if (addUsage) {
    const so = req.json.stream_options;
    json.stream_options = { ...(so && typeof so === 'object' ? so : {}), include_usage: true };
  }
  return Buffer.from(JSON.stringify(json));
}
