#!/usr/bin/env node
// Runs the bundled CLI (build/bundle/, made by `make build`). bin/berth starts it; conmon calls it back directly.
// Exits as soon as the command returns: stdout and stderr are synchronous on Linux, and nothing
// berth leaves (conmon, its pipes) needs the event loop to drain.
import { main } from '../build/bundle/berth.js';
process.exit(await main(process.argv.slice(2)));
