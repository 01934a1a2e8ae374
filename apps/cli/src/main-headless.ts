// The `plantwire` command as an edge box runs it: `run` and `validate`. The code is main.ts's;
// build.mjs bundles this entry (dist/plantwire-headless.js) without the modules of the commands
// that start the editor's server or the simulated plant, which bin.ts never sends here.
import './main.js';
