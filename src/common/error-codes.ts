/**
 * The one catalogue of error codes. Every error the API returns carries one of these codes;
 * docs/errors.md lists the same table (a test keeps them in sync).
 */
export const ERROR_CODES = {
  // 400
  validation_failed: { status: 400, message: 'Request validation failed' },
  invalid_json: { status: 400, message: 'Request body is not valid JSON' },
  invalid_query: { status: 400, message: 'Invalid query parameter' },
  model_required: { status: 400, message: 'The request must name a model' },
  unsupported_endpoint: { status: 400, message: 'The server answered but is not a supported kind' },
  unsupported_for_type: { status: 400, message: 'Not supported for this endpoint type' },
  bad_request: { status: 400, message: 'Bad request' },
  address_not_allowed: {
    status: 400,
    message: 'This address may not be registered as a node (see LLMLB_NODE_ALLOWED_NETWORKS)',
  },
  // 401
  unauthorized: { status: 401, message: 'Authentication required' },
  invalid_credentials: { status: 401, message: 'Invalid username or password' },
  invalid_token: { status: 401, message: 'Invalid or expired token' },
  invalid_api_key: { status: 401, message: 'Invalid, expired or revoked API key' },
  node_token_missing: { status: 401, message: 'X-Node-Token header is required' },
  node_token_invalid: { status: 401, message: 'Unknown node token' },
  provider_key_missing: { status: 401, message: 'No API key is configured for this provider' },
  // 403
  forbidden: { status: 403, message: 'Insufficient permissions' },
  gpu_required: { status: 403, message: 'GPU hardware is required for node registration' },
  admin_session_required: {
    status: 403,
    message: 'Only an admin signed in with a password (not an API key) may do this',
  },
  node_token_mismatch: { status: 403, message: 'The node token does not belong to this node' },
  task_not_owned: { status: 403, message: 'The task belongs to another node' },
  address_mismatch: {
    status: 403,
    message: 'Without a key, a node can only register the address it calls from',
  },
  // 404
  route_not_found: { status: 404, message: 'Route not found' },
  not_found: { status: 404, message: 'Resource not found' },
  user_not_found: { status: 404, message: 'User not found' },
  api_key_not_found: { status: 404, message: 'API key not found' },
  node_not_found: { status: 404, message: 'Node not found' },
  endpoint_not_found: { status: 404, message: 'Endpoint not found' },
  model_not_found: { status: 404, message: 'Model not found' },
  alias_not_found: { status: 404, message: 'Model alias not found' },
  task_not_found: { status: 404, message: 'Task not found' },
  hf_file_not_found: { status: 404, message: 'File not found on Hugging Face' },
  hf_repo_not_found: { status: 404, message: 'Repository not found on Hugging Face' },
  // 408
  request_timeout: {
    status: 408,
    message: 'The request was not received in time (LLMLB_REQUEST_TIMEOUT_SECS)',
  },
  // 409
  conflict: { status: 409, message: 'Conflict' },
  username_taken: { status: 409, message: 'Username already exists' },
  last_admin: { status: 409, message: 'The last admin cannot be deleted or demoted' },
  node_not_pending: { status: 409, message: 'Node is not pending approval' },
  node_not_online: { status: 409, message: 'Node is not online' },
  endpoint_name_taken: { status: 409, message: 'An endpoint with this name already exists' },
  endpoint_url_taken: { status: 409, message: 'An endpoint with this base URL already exists' },
  model_already_registered: { status: 409, message: 'Model is already registered' },
  alias_conflict: { status: 409, message: 'The alias collides with a served model id or alias' },
  task_finished: { status: 409, message: 'Task has already finished' },
  node_exists: {
    status: 409,
    message:
      'A node is registered at this address; re-registering needs its X-Node-Token or a nodes.manage key',
  },
  // 413
  payload_too_large: { status: 413, message: 'Request body is too large' },
  // 415
  unsupported_media_type: {
    status: 415,
    message: 'Unsupported content type; send application/json',
  },
  // 429
  rate_limited: { status: 429, message: 'Too many requests' },
  too_many_pending_nodes: { status: 429, message: 'Too many nodes are waiting for approval' },
  queue_full: {
    status: 429,
    message: 'Every backend is busy and the queue for this model is full',
  },
  // 431
  headers_too_large: { status: 431, message: 'Request headers are too large' },
  // 500
  internal_error: { status: 500, message: 'Internal server error' },
  // 502 / 503 / 504
  node_unreachable: { status: 502, message: 'Node runtime is not reachable' },
  endpoint_unreachable: { status: 502, message: 'Endpoint is not reachable' },
  upstream_error: { status: 502, message: 'Upstream backend failed' },
  catalog_unavailable: { status: 502, message: 'Model catalog is unavailable' },
  no_healthy_backend: { status: 503, message: 'No healthy backend serves this model' },
  queue_timeout: { status: 503, message: 'Waited too long for a free backend slot' },
  not_ready: { status: 503, message: 'Service is not ready' },
  upstream_timeout: { status: 504, message: 'Upstream backend timed out' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** OpenAI-compatible `type` for a status. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
    case 408:
    case 413:
    case 431:
    case 415:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 409:
      return 'conflict_error';
    case 429:
      return 'rate_limit_error';
    case 502:
    case 503:
    case 504:
      return 'upstream_error';
    default:
      return status >= 500 ? 'internal_error' : 'invalid_request_error';
  }
}
