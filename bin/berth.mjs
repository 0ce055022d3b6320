#!/usr/bin/env node
// Runs the bundled CLI (build/berth.mjs, made by `make build`); this file stays tiny so start-up is cheap.
import { main } from '../build/berth.mjs';
process.exitCode = await main(process.argv.slice(2));
