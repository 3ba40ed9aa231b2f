import { Param, PipeTransform } from '@nestjs/common';
import { validationError } from './validation';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly field: string) {}

  transform(value: string): string {
    if (typeof value !== 'string' || !UUID_RE.test(value)) {
      throw validationError([{ field: this.field, message: 'must be a UUID' }]);
    }
    return value.toLowerCase();
  }
}

/** A path parameter that must be a UUID (else 400 validation_failed naming the field). */
export const UuidParam = (name = 'id'): ParameterDecorator => Param(name, new UuidPipe(name));
