import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAssets, resolvePublicDir } from './dashboard.assets';

describe('dashboard assets', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'llmlb-assets-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('serves from the public folder beside the code when it was copied there', () => {
    const dir = join(root, 'dist', 'src', 'dashboard');
    mkdirSync(join(dir, 'public'), { recursive: true });
    writeFileSync(join(dir, 'public', 'index.html'), '<html>');
    expect(resolvePublicDir(dir)).toBe(join(dir, 'public'));
  });

  it('falls back to the source tree from dist when the copy step did not run', () => {
    const dir = join(root, 'dist', 'src', 'dashboard');
    mkdirSync(dir, { recursive: true });
    mkdirSync(join(root, 'src', 'dashboard', 'public'), { recursive: true });
    writeFileSync(join(root, 'src', 'dashboard', 'public', 'index.html'), '<html>');
    expect(resolvePublicDir(dir)).toBe(join(root, 'src', 'dashboard', 'public'));
  });

  it('fails loudly when there are no files', () => {
    expect(() => resolvePublicDir(join(root, 'x', 'y', 'z'))).toThrow(/dashboard files not found/);
  });

  it('loads known file types only, with a content hash as ETag', () => {
    writeFileSync(join(root, 'index.html'), '<html>');
    writeFileSync(join(root, 'app.js'), 'x');
    writeFileSync(join(root, 'notes.txt'), 'secret');
    const assets = loadAssets(root);
    expect([...assets.keys()].sort()).toEqual(['app.js', 'index.html']);
    expect(assets.get('app.js')!.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('app.js')!.etag).not.toBe(assets.get('index.html')!.etag);
  });

  it('the real dashboard has every page module the shell imports', () => {
    const assets = loadAssets(resolvePublicDir(__dirname));
    const app = assets.get('app.js')!.body.toString();
    for (const m of app.matchAll(/(?:from |import\()'\.\/([\w-]+\.js)'/g))
      expect(assets.has(m[1])).toBe(true);
    expect(assets.has('index.html')).toBe(true);
    expect(assets.has('style.css')).toBe(true);
  });

  it("index.html preloads the shell's imports; the shell imports every page", () => {
    const assets = loadAssets(resolvePublicDir(__dirname));
    const html = assets.get('index.html')!.body.toString();
    const app = assets.get('app.js')!.body.toString();
    const preloaded = [...html.matchAll(/rel="modulepreload" href="\/dashboard\/([\w-]+\.js)"/g)]
      .map((m) => m[1])
      .sort();
    const staticImports = [...app.matchAll(/^import .* from '\.\/([\w-]+\.js)';$/gm)]
      .map((m) => m[1])
      .sort();
    expect(preloaded).toEqual(staticImports);
    const pages = [...assets.keys()].filter((k) => /^page-[\w-]+\.js$/.test(k)).sort();
    const loaded = [...app.matchAll(/import\('\.\/(page-[\w-]+\.js)'\)/g)].map((m) => m[1]).sort();
    expect(pages.length).toBe(7);
    expect(loaded).toEqual(pages);
    expect(html).toContain('<script type="module" src="/dashboard/app.js"></script>');
  });

  it('does not serve the generated type declarations', () => {
    const assets = loadAssets(resolvePublicDir(__dirname));
    expect(assets.has('openapi.d.ts')).toBe(false);
  });
});
