#!/usr/bin/env node
// Runs the bundled CLI (build/bundle/, made by `make build`). bin/berth starts it; conmon calls it back directly.
import { main } from '../build/bundle/berth.js';
process.exitCode = await main(process.argv.slice(2));
