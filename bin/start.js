#!/usr/bin/env node
// `npm start`: the local bridge (express, embedded store, in-process worker, sandbox when no credentials).
require('tsx/cjs');
require('../src/server.ts').main();
