import { Injectable } from '@nestjs/common';

/** The time, injectable so tests of expiry and timeouts can move it instead of sleeping. */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
