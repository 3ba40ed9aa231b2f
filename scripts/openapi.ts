import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { buildOpenApiDocument, sortDeep } from '../src/app.swagger';
import { loadConfig } from '../src/config/load-config';

/** Builds the OpenAPI document from the controllers and DTOs, keys sorted. */
export async function generateOpenApi(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'llmlb-openapi-'));
  try {
    const config = loadConfig({
      LLMLB_DATA_DIR: dataDir,
      LLMLB_ADMIN_PASSWORD: 'openapi-generator',
      LLMLB_LOG_LEVEL: 'error',
    });
    const app = await createApp(config, { logger: false });
    try {
      return `${JSON.stringify(sortDeep(buildOpenApiDocument(app)), null, 2)}\n`;
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const out = join(__dirname, '..', '..', 'specs', 'openapi.json');
  generateOpenApi()
    .then((doc) => {
      writeFileSync(out, doc);
      process.stdout.write(`wrote ${out}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`${String(e)}\n`);
      process.exit(1);
    });
}
