import type { RawBodyRequest } from '../../common/http-setup';
import type { Ingress, PreparedIngress } from '../ingress';
import { parseProxyRequest } from '../request-body';
import { matchEmbeddingEncoding, requestedEncoding } from './embeddings-encoding';

/**
 * `POST /v1/embeddings`: the body is forwarded untouched; the answer is re-encoded when the
 * backend ignored `encoding_format` (see embeddings-encoding.ts).
 */
export const embeddingsIngress: Ingress = {
  prepare(req: RawBodyRequest): PreparedIngress {
    const parsed = parseProxyRequest(req.body, req.rawBody);
    const wanted = requestedEncoding(parsed.json);
    return {
      parsed,
      adapt: (plan) =>
        plan.translateJson
          ? plan
          : { ...plan, translateJson: (b: Buffer) => matchEmbeddingEncoding(b, wanted) },
    };
  },
};
