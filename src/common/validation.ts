import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppError, ErrorDetail } from './app-error';

/** Flattens class-validator errors into `{field, message}` with dotted paths. */
export function flattenValidationErrors(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const err of errors) {
    const field = prefix ? `${prefix}.${err.property}` : err.property;
    for (const [kind, msg] of Object.entries(err.constraints ?? {})) {
      if (kind === 'whitelistValidation') {
        out.push({ field, message: 'is not an allowed field' });
      } else {
        out.push({
          field,
          message: msg.startsWith(err.property)
            ? msg.slice(err.property.length).trim() || msg
            : msg,
        });
      }
    }
    if (err.children?.length) out.push(...flattenValidationErrors(err.children, field));
  }
  return out;
}

export function validationError(details: ErrorDetail[]): AppError {
  const fields = [...new Set(details.map((d) => d.field))];
  const message = `Invalid request: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`;
  return new AppError('validation_failed', message, { details, param: fields[0] ?? null });
}

/** The global pipe: unknown fields refused, types transformed, errors in the spec's shape. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) =>
      validationError(flattenValidationErrors(errors)),
  });
}
