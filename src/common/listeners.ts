import { Logger } from '@nestjs/common';

/**
 * A list of event listeners. `emit` calls each in the order added; a listener that throws is
 * logged and does not keep the others (or the emitter) from running.
 */
export class Listeners<A extends unknown[]> {
  private readonly list: Array<(...args: A) => void> = [];

  /** `what` names the event in the log line of a failing listener. */
  constructor(
    private readonly what: string,
    private readonly logger: Pick<Logger, 'error'> = new Logger('Listeners'),
  ) {}

  add(listener: (...args: A) => void): void {
    this.list.push(listener);
  }

  get size(): number {
    return this.list.length;
  }

  emit(...args: A): void {
    for (const l of this.list) {
      try {
        l(...args);
      } catch (e) {
        this.logger.error(`${this.what} listener failed: ${(e as Error).message}`);
      }
    }
  }
}
