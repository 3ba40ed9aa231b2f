import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake ollama server (see llm-server.ts for the wire format and fault injection). */
export function startFakeOllama(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('ollama', opts);
}
