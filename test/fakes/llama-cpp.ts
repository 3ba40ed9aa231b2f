import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake llama_cpp server (see llm-server.ts for the wire format and fault injection). */
export function startFakeLlamaCpp(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('llama_cpp', opts);
}
