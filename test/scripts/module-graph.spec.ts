import {
  buildGraph,
  describeCycles,
  findCycles,
  importSpecifiers,
} from '../../scripts/module-graph';

const graphOf = (files: Record<string, string>) => buildGraph(new Map(Object.entries(files)));

describe('folder-level module graph', () => {
  it('reads static, type-only, re-export, dynamic and require imports, not commented ones', () => {
    const src = [
      "import { A } from './a';",
      "import type { B } from '../b/b';",
      "export { C } from './c';",
      "export * from './d';",
      "import './side-effect';",
      "const e = await import('./e');",
      "const f = require('./f');",
      "// import { G } from './g';",
      "/* import { H } from './h'; */",
      "import {\n  I,\n  J,\n} from '@nestjs/common';",
    ].join('\n');
    expect(importSpecifiers(src)).toEqual([
      './a',
      '../b/b',
      './c',
      './d',
      './side-effect',
      './e',
      './f',
      '@nestjs/common',
    ]);
  });

  it('finds a cycle between two folders and names the imports that close it', () => {
    const g = graphOf({
      'downloads/downloads.module.ts': "import { ModelsModule } from '../models/models.module';",
      'models/dto/models.dto.ts': "import { TaskDto } from '../../downloads/dto/task.dto';",
      'models/models.module.ts': "import { X } from './x';",
      'common/app-error.ts': "import { Y } from '@nestjs/common';",
    });
    const cycles = findCycles(g);
    expect(cycles).toEqual([['downloads', 'models']]);
    expect(describeCycles(g, cycles)).toEqual([
      'cycle between modules: downloads, models',
      "  downloads → models: src/downloads/downloads.module.ts imports '../models/models.module'",
      "  models → downloads: src/models/dto/models.dto.ts imports '../../downloads/dto/task.dto'",
    ]);
  });

  it('finds longer cycles and ignores file cycles inside one folder', () => {
    const g = graphOf({
      'a/x.ts': "import './y'; import '../b/b';",
      'a/y.ts': "import './x';",
      'b/b.ts': "import '../c/c';",
      'c/c.ts': "import type { A } from '../a/x';",
      'd/d.ts': "import '../a/x';",
    });
    expect(findCycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('accepts a layered graph, with files directly in src as the (root) module', () => {
    const g = graphOf({
      'app.module.ts': "import './tasks/tasks.module'; import './downloads/downloads.module';",
      'downloads/downloads.module.ts': "import '../tasks/tasks.module'; import '../nodes/n';",
      'nodes/n.ts': "import '../tasks/dto/task-progress.dto';",
      'tasks/tasks.module.ts': "import { Module } from '@nestjs/common';",
    });
    expect(findCycles(g)).toEqual([]);
    expect([...g.get('(root)')!.keys()].sort()).toEqual(['downloads', 'tasks']);
  });
});
