/** The CLI as a library, for tests and embedding: the same code `plantwire` runs. */
export { runCli, type CliContext } from './cli.js';
export { EXIT, CliError, type ExitCode } from './exit-codes.js';
export { formatIssue, loadFlow, placeIssues, type LoadedFlow, type LocatedIssue } from './load-flow.js';
export { renderPrometheus, startMetricsServer, type MetricsServer, type MetricsSource } from './metrics-server.js';
export { debugLine } from './run-command.js';
