import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake vllm server (see llm-server.ts for the wire format and fault injection). */
export function startFakeVllm(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('vllm', opts);
}
