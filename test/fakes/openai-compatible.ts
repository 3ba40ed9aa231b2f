import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake openai_compatible server (see llm-server.ts for the wire format and fault injection). */
export function startFakeOpenAiCompatible(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('openai_compatible', opts);
}
