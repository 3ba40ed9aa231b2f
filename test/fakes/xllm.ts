import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake xllm server (see llm-server.ts for the wire format and fault injection). */
export function startFakeXllm(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('xllm', opts);
}
