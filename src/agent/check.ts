/** `llmlb agent --check`: what the agent sees, printed for the operator; no registration. */
import { detectGpus } from './gpu-detect';
import { splitModels } from './model-kind';
import type { AgentOptions } from './options';
import { RuntimeClient } from './runtime';
import { ServerClient } from './server-client';
import { StateFile } from './state-file';
import { AGENT_VERSION } from './version';

/** Prints the report; the exit status is 0 when the agent could run, 2 without a GPU, else 1. */
export async function check(opts: AgentOptions, out: (line: string) => void): Promise<number> {
  let status = 0;
  out(`llmlb agent ${AGENT_VERSION}`);
  const gpus = await detectGpus(opts.gpusOverride).catch((e: Error) => {
    out(`GPUs: error: ${e.message}`);
    return null;
  });
  if (gpus && gpus.groups.length) {
    out(`GPUs (from ${gpus.source}):`);
    for (const g of gpus.groups)
      out(
        `  ${g.count}× ${g.model}${g.memory_bytes !== undefined ? `, ${(g.memory_bytes / 2 ** 30).toFixed(1)} GiB each` : ''}`,
      );
  } else {
    if (gpus) out(`GPUs: none found (${gpus.notes.join('; ') || 'no vendor tool answered'})`);
    status = 2;
  }

  const runtime = new RuntimeClient(opts.runtimeUrl);
  try {
    const info = await runtime.probe();
    const id = await runtime.identify();
    const { chat, embeddings } = splitModels(info.models);
    out(`runtime: ${opts.runtimeUrl} answers (${id.kind} ${id.version})`);
    out(`  models: ${chat.join(', ') || '(none)'}`);
    if (embeddings.length) out(`  embedding models: ${embeddings.join(', ')}`);
    if (info.maxConcurrency) out(`  max concurrency: ${info.maxConcurrency}`);
  } catch (e) {
    out(`runtime: ${opts.runtimeUrl} not answering /v1/models (${(e as Error).message})`);
    if (status === 0) status = 1;
  }

  const unreachable = await new ServerClient(opts.serverUrl, opts.key).reachable();
  if (unreachable) {
    out(`server: ${opts.serverUrl} unreachable (${unreachable})`);
    if (status === 0) status = 1;
  } else out(`server: ${opts.serverUrl} reachable`);

  const state = new StateFile(opts.dataDir).load();
  out(
    state.node_id && state.server_url === opts.serverUrl
      ? `registration: node ${state.node_id} (token in ${new StateFile(opts.dataDir).path})`
      : 'registration: not registered yet',
  );
  out(`models directory: ${opts.modelsDir}`);
  return status;
}
