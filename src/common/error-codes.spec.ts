import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, errorTypeForStatus } from './error-codes';

describe('error catalogue', () => {
  const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

  it.each(Object.entries(ERROR_CODES))('docs/errors.md lists %s with its status', (code, def) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${def.status} \\|`));
  });

  it('maps statuses to the OpenAI-compatible types of the spec', () => {
    expect(errorTypeForStatus(400)).toBe('invalid_request_error');
    expect(errorTypeForStatus(401)).toBe('authentication_error');
    expect(errorTypeForStatus(403)).toBe('permission_error');
    expect(errorTypeForStatus(404)).toBe('not_found_error');
    expect(errorTypeForStatus(409)).toBe('conflict_error');
    expect(errorTypeForStatus(413)).toBe('invalid_request_error');
    expect(errorTypeForStatus(429)).toBe('rate_limit_error');
    expect(errorTypeForStatus(502)).toBe('upstream_error');
    expect(errorTypeForStatus(503)).toBe('upstream_error');
    expect(errorTypeForStatus(504)).toBe('upstream_error');
    expect(errorTypeForStatus(500)).toBe('internal_error');
  });
});
