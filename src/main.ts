#!/usr/bin/env node
import { runCli } from './cli/cli.js';

runCli(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
