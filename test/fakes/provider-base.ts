import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, parseJson, sendJson } from './fake-http-server';

export interface ProviderRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  json: any;
}

/** Shared plumbing of the cloud provider fakes: a node:http server on 127.0.0.1 that records requests. */
export abstract class FakeProvider extends FakeHttpServer {
  readonly received: ProviderRequest[] = [];
  /** Text pieces of the answer (streamed one per event). */
  chunks = ['Hi', ' there', '!'];

  protected json(res: ServerResponse, status: number, body: unknown): void {
    sendJson(res, status, body, { 'content-type': 'application/json; charset=UTF-8' });
  }

  /** Answers one recorded request. */
  protected abstract respond(req: ProviderRequest, res: ServerResponse): Promise<void> | void;

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const [path, query = ''] = (req.url ?? '/').split('?');
    const r: ProviderRequest = {
      method: req.method ?? 'GET',
      path,
      query,
      headers: req.headers,
      json: parseJson(raw),
    };
    this.received.push(r);
    await this.respond(r, res);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
