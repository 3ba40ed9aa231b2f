import { type Command, InvalidArgumentError, Option } from 'commander';
import { type ApiClient, listOf, qs, resolveId, isUuid } from '../client';
import { contextOf } from '../context';
import { dash, fmtMs, shortId } from '../output';

interface EndpointRow {
  id: string;
  name?: string;
  base_url?: string;
  endpoint_type?: string;
  status?: string;
  latency_ms?: number | null;
  model_count?: number | null;
  last_error?: string | null;
}

const TYPES = ['xllm', 'ollama', 'vllm', 'lm_studio', 'llama_cpp', 'openai_compatible'];

export function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
}

async function resolveEndpoint(client: ApiClient, input: string): Promise<string> {
  if (isUuid(input)) return input;
  const eps = listOf<EndpointRow>(await client.get('/v0/endpoints'), 'endpoints');
  return resolveId('endpoint', input, eps, (e) => [e.name]);
}

export function registerEndpoints(program: Command): void {
  const endpoints = program
    .command('endpoints')
    .description(
      'External inference servers (Ollama, vLLM, LM Studio, llama.cpp, xLLM, OpenAI-compatible)',
    );

  endpoints
    .command('list')
    .description('List endpoints')
    .option('--type <type>', 'only this type')
    .option('--status <status>', 'only this status (pending, online, error, offline)')
    .action(async (opts: { type?: string; status?: string }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get(`/v0/endpoints${qs({ type: opts.type, status: opts.status })}`);
      out.result(data, () =>
        out.table(
          ['ID', 'NAME', 'URL', 'TYPE', 'STATUS', 'LATENCY', 'MODELS', 'LAST ERROR'],
          listOf<EndpointRow>(data, 'endpoints').map((e) => [
            shortId(e.id),
            dash(e.name),
            dash(e.base_url),
            dash(e.endpoint_type),
            dash(e.status),
            fmtMs(e.latency_ms),
            dash(e.model_count),
            dash(e.last_error),
          ]),
        ),
      );
    });

  endpoints
    .command('add')
    .description('Register an endpoint; its type is detected unless --type is given')
    .argument('<name>', 'a unique name')
    .argument('<url>', 'base URL, e.g. http://10.0.0.5:11434')
    .addOption(new Option('--type <type>', 'skip detection and use this type').choices(TYPES))
    .option('--api-key <key>', 'key sent to the endpoint as Bearer (stored encrypted)')
    .option('--interval <secs>', 'health check interval in seconds (10-300)', intArg)
    .option('--timeout <secs>', 'inference timeout in seconds (10-600)', intArg)
    .option('--priority <n>', 'routing priority (0-100)', intArg)
    .action(
      async (
        name: string,
        url: string,
        opts: {
          type?: string;
          apiKey?: string;
          interval?: number;
          timeout?: number;
          priority?: number;
        },
        cmd: Command,
      ) => {
        const { client, out } = contextOf(cmd);
        const body: Record<string, unknown> = { name, base_url: url };
        if (opts.type) body.endpoint_type = opts.type;
        if (opts.apiKey) body.api_key = opts.apiKey;
        if (opts.interval !== undefined) body.health_check_interval_secs = opts.interval;
        if (opts.timeout !== undefined) body.inference_timeout_secs = opts.timeout;
        if (opts.priority !== undefined) body.priority = opts.priority;
        const ep = await client.post<EndpointRow>('/v0/endpoints', body);
        out.result(ep, () =>
          out.line(
            `added ${dash(ep?.name)} (${dash(ep?.id)}): ${dash(ep?.endpoint_type)}, ${dash(ep?.status)}, ${dash(ep?.model_count)} models`,
          ),
        );
      },
    );

  endpoints
    .command('test')
    .description('Probe an endpoint now and re-detect its type')
    .argument('<id>', 'endpoint id, id prefix or name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = await resolveEndpoint(client, input);
      const r = await client.post<{
        success?: boolean;
        latency_ms?: number;
        endpoint_type?: string;
        models_found?: number;
        error?: string | null;
      }>(`/v0/endpoints/${id}/test`);
      out.result(r, () =>
        out.line(
          r?.success
            ? `ok: ${dash(r.endpoint_type)} in ${fmtMs(r.latency_ms)}, ${dash(r.models_found)} models`
            : `failed: ${dash(r?.error)}`,
        ),
      );
      if (!r?.success) process.exitCode = 1;
    });

  endpoints
    .command('sync')
    .description("Sync an endpoint's model list now")
    .argument('<id>', 'endpoint id, id prefix or name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = await resolveEndpoint(client, input);
      const r = await client.post<{
        added?: unknown;
        removed?: unknown;
        updated?: unknown;
        models?: unknown[];
      }>(`/v0/endpoints/${id}/sync`);
      const n = (x: unknown) => (Array.isArray(x) ? x.length : Number(x) || 0);
      out.result(r, () =>
        out.line(
          `synced: +${n(r?.added)} -${n(r?.removed)} ~${n(r?.updated)}, ${Array.isArray(r?.models) ? r.models.length : '?'} models`,
        ),
      );
    });

  endpoints
    .command('rm')
    .alias('delete')
    .description('Delete an endpoint')
    .argument('<id>', 'endpoint id, id prefix or name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = await resolveEndpoint(client, input);
      await client.delete(`/v0/endpoints/${id}`);
      out.result({ id, deleted: true }, () => out.line(`deleted endpoint ${id}`));
    });
}
