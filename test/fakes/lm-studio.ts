import { FakeLlmServer, type FakeServerOptions } from './llm-server';

/** A fake lm_studio server (see llm-server.ts for the wire format and fault injection). */
export function startFakeLmStudio(opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
  return FakeLlmServer.start('lm_studio', opts);
}
