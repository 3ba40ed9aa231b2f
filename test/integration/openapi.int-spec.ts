import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateOpenApi } from '../../scripts/openapi';

describe('specs/openapi.json', () => {
  it('matches what the controllers and DTOs generate (run `npm run openapi` after changing routes)', async () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'specs', 'openapi.json'), 'utf8');
    const generated = await generateOpenApi();
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(committed).toBe(generated);
  });

  it('documents the auth schemes and the error shape', async () => {
    const doc = JSON.parse(await generateOpenApi());
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'api_key',
      'bearer',
      'node_token',
    ]);
    expect(doc.components.schemas.ErrorResponseDto).toBeDefined();
    expect(doc.paths['/v0/auth/login'].post.responses['401']).toBeDefined();
  });

  it('gives every operation its own operationId (clients are generated from them)', async () => {
    const doc = JSON.parse(await generateOpenApi());
    const ids: string[] = [];
    for (const item of Object.values(doc.paths) as Array<Record<string, { operationId?: string }>>)
      for (const op of Object.values(item)) if (op.operationId) ids.push(op.operationId);
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(ids.length).toBeGreaterThan(10);
    expect(duplicates).toEqual([]);
  });
});
