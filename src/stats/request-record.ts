/** What the proxy reports about one finished request (in memory; stored in batches). */
export interface RequestRecord {
  /** Epoch ms when the request arrived. */
  at: number;
  requestId: string;
  apiKeyId: string | null;
  userId: string | null;
  operation: string;
  model: string;
  /** False when no backend serves the model (metrics then use a fixed label). */
  modelKnown: boolean;
  backendId: string | null;
  backendName: string | null;
  status: number;
  errorCode: string | null;
  stream: boolean;
  latencyMs: number;
  ttftMs: number | null;
  overheadMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  attempts: number;
  requestBody: string | null;
  responseBody: string | null;
}

/** A request counts as an error when its status is 400 or above (499 = client went away). */
export function isErrorStatus(status: number): boolean {
  return status >= 400;
}
