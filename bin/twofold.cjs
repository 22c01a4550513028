#!/usr/bin/env node
'use strict';
// The `twofold` command. CommonJS on purpose: the thread pool is sized before anything starts it.
require('./threadpool.cjs');

// Runs the TypeScript sources through tsx's loader, so `npx twofold ...` needs no build step.
import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('../src/main.ts');
  })
  .then(({ main }) => main(process.argv))
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
