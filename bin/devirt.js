#!/usr/bin/env node
// Thin launcher: the command line is compiled JavaScript so that `devirt boot` starts fast.
require('../dist/cli/main.js');
