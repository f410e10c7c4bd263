#!/usr/bin/env node
// Operator CLI entry: runs the TypeScript sources through tsx so it works right after `npm ci`.
require('tsx/cjs');
require('../src/cli.ts');
