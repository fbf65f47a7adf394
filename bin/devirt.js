#!/usr/bin/env node
// Thin launcher: the command line is compiled JavaScript so that `devirt boot` starts fast.
const fs = require('fs');
const path = require('path');

const main = path.join(__dirname, '../dist/cli/main.js');
// A checkout without a build (npm ci --ignore-scripts, or sources only): say what to run, not a stack.
if (!fs.existsSync(main)) {
  process.stderr.write(`devirt: not built yet (${path.relative(process.cwd(), main) || main} is missing): run \`npm run build\` in ${path.resolve(__dirname, '..')}\n`);
  process.exit(3);
}
require(main);
