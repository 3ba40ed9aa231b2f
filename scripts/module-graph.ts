import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The folder-level module graph of `src/`: one node per top-level folder (one Nest module
 * each, plus `(root)` for the composition root files directly in `src/`), an edge A → B when a
 * file of A imports a file of B (type-only imports count: they are a dependency too). madge
 * only sees cycles between files; this sees cycles between modules (docs/adr/0006).
 *
 * `node dist/scripts/module-graph.js [--print]` (from the repository root) exits 1 and names the imports that close each
 * cycle; `--print` lists every edge.
 */

/** One import that makes an edge: `from` imports `to` in `file` (paths relative to src). */
export interface ImportSite {
  file: string;
  specifier: string;
}

export type ModuleGraph = Map<string, Map<string, ImportSite>>;

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|\b(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The module specifiers a TypeScript source imports or re-exports (comments removed). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** The module (top-level folder under src) a path relative to src belongs to. */
export function moduleOf(pathInSrc: string): string {
  const parts = pathInSrc.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : '(root)';
}

/** Builds the graph from `files`: path relative to src → source text. */
export function buildGraph(files: Map<string, string>): ModuleGraph {
  const graph: ModuleGraph = new Map();
  for (const [file, source] of files) {
    const from = moduleOf(file);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of importSpecifiers(source)) {
      if (!spec.startsWith('.')) continue; // packages and node: builtins
      const target = join(dirname(file), spec);
      if (target.startsWith('..')) continue; // outside src (tests do not import upwards here)
      const to = moduleOf(target.split(sep).join('/'));
      if (to === from) continue;
      const edges = graph.get(from)!;
      if (!edges.has(to)) edges.set(to, { file, specifier: spec });
    }
  }
  return graph;
}

/** Every cycle's modules (strongly connected components of more than one module), sorted. */
export function findCycles(graph: ModuleGraph): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const nodes = new Set<string>([...graph.keys()]);
  for (const e of graph.values()) for (const to of e.keys()) nodes.add(to);

  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...nodes].sort()) if (!idx.has(v)) visit(v);
  return out.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Human-readable lines: for each cycle, the imports between its modules. */
export function describeCycles(graph: ModuleGraph, cycles: string[][]): string[] {
  const lines: string[] = [];
  for (const scc of cycles) {
    lines.push(`cycle between modules: ${scc.join(', ')}`);
    const members = new Set(scc);
    for (const from of scc) {
      for (const [to, site] of graph.get(from) ?? []) {
        if (members.has(to))
          lines.push(`  ${from} → ${to}: src/${site.file} imports '${site.specifier}'`);
      }
    }
  }
  return lines;
}

/** Reads every .ts file under `srcDir` (specs included: they must respect the layering too). */
export function readSources(srcDir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts'))
        files.set(relative(srcDir, p).split(sep).join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(srcDir);
  return files;
}

if (require.main === module) {
  const srcDir = resolve(process.cwd(), 'src');
  const graph = buildGraph(readSources(srcDir));
  if (process.argv.includes('--print')) {
    for (const [from, edges] of [...graph].sort(([a], [b]) => a.localeCompare(b)))
      console.log(`${from} → ${[...edges.keys()].sort().join(', ') || '(nothing)'}`);
  }
  const cycles = findCycles(graph);
  if (cycles.length) {
    for (const line of describeCycles(graph, cycles)) console.error(line);
    process.exit(1);
  }
  console.log(`module graph: ${graph.size} modules, no cycle between them`);
}
