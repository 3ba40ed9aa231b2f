import { AsyncLocalStorage } from 'node:async_hooks';
import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** The request being handled, for log lines written while handling it. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Nest's start-up chatter (one line per module, controller and route). Shown at `debug`:
 * at the default level the start-up says where it listens and little else.
 */
const STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

export interface LoggerSettings {
  logLevel: 'error' | 'warn' | 'log' | 'debug' | 'verbose';
  logFormat: 'json' | 'text';
}

/**
 * Nest's ConsoleLogger with two changes: JSON lines carry the id of the request they were
 * written for (`request_id`), and the per-module start-up lines move down to `debug`.
 */
export class AppLogger extends ConsoleLogger {
  constructor(settings: LoggerSettings) {
    const json = settings.logFormat === 'json';
    super({
      json,
      colors: !json,
      logLevels: LEVELS.slice(0, LEVELS.indexOf(settings.logLevel) + 1),
    });
  }

  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest.length ? rest[rest.length - 1] : this.context;
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context)) {
      super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> & { request_id?: string } {
    const line = super.getJsonLogObject(message, options);
    const requestId = requestContext.getStore()?.requestId;
    return requestId ? { ...line, request_id: requestId } : line;
  }
}
