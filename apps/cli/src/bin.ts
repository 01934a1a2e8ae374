#!/usr/bin/env node
// The `plantwire` binary of the bundle (dist/plantwire.js, see build.mjs): tune V8 for start-up
// before a ~1 MB bundle is parsed, then load it. Parsing it is itself start-up work the tuning is
// for (v8-memory.ts). `run` and `validate`, what an edge box runs, load the headless bundle
// (dist/plantwire-headless.js), which leaves out the editor's server and the simulated plant;
// every other command loads dist/plantwire-main.js. `pnpm plantwire` runs src/main.ts, which
// imports v8-memory.ts first as well.
import './v8-memory.js';

const HEADLESS_COMMANDS = ['run', 'validate'];

await (HEADLESS_COMMANDS.includes(process.argv[2] ?? '') ? import('./main-headless.js') : import('./main.js'));
