#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

// `llmlb agent` loads only the agent (no commander, no server code): it starts fast and small.
const isAgent = process.argv[2] === 'agent';
const entry = join(__dirname, '..', 'dist', 'src', isAgent ? 'agent' : 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    'llmlb is not built yet: run `npm run build` in the package directory first.\n',
  );
  process.exit(1);
}
require(entry).run(process.argv);
