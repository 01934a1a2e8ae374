#!/usr/bin/env node
// The `plantwire` binary of the bundle (dist/plantwire.js, see build.mjs): tune V8 for start-up
// before the main bundle (dist/plantwire-main.js, ~1 MB) is parsed, then load it. Parsing it is
// itself start-up work the tuning is for (v8-memory.ts). `pnpm plantwire` runs src/main.ts, which
// imports v8-memory.ts first as well.
import './v8-memory.js';

await import('./main.js');
