import { parseArgs } from 'node:util';
import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { createJsonLogger, LOG_LEVELS, type LogLevel } from './json-logger.js';
import { validateCommand } from './validate-command.js';

/** Where the CLI writes and what it runs with; tests and `main.ts` hand it in. */
export interface CliContext {
  readonly version: string;
  readonly nodeTypes: readonly AnyNodeType[];
  /** Connection types the node packages bring (none among the core nodes yet). */
  readonly connectionTypes?: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const EXIT_CODES_HELP = `Exit codes:
  0  success (validate: no errors; warnings alone still exit 0)
  1  the flow document is invalid, or the runtime failed
  2  usage error (unknown command or option, missing argument) or the file cannot be read
  3  a service could not start (metrics port taken, data directory unusable)`;

const MAIN_HELP = `plantwire: check and run Plantwire flow documents

Usage:
  plantwire <command> [options]

Commands:
  validate FILE...   Check flow documents; print every problem with its place, node id and JSON path
  run FILE           Run a flow document headless (debug output as JSON lines, logs as JSON on stderr)

Options:
  -h, --help         Show help; "plantwire <command> --help" for a command's options
  -v, --version      Print the version

${EXIT_CODES_HELP}

Docs: docs/cli.md`;

const VALIDATE_HELP = `Usage: plantwire validate FILE... [options]

Checks each flow document (JSON syntax, structure, node types, configs, wires, environment
variables, cycles) and prints every problem, one per line:

  FILE:LINE:COL  error|warning  CODE  node <id>  <json path>  message

then a summary line per file. Codes are explained in docs/errors.md. \${NAME} references resolve
through the tab's env, the document's env and the process environment.

Options:
  -h, --help   Show this help

Exit: 0 when no file has errors (warnings alone are fine), 1 when one has, 2 when a file cannot be read.`;

const RUN_HELP = `Usage: plantwire run FILE [options]

Validates the flow document (problems are printed as by "plantwire validate"), deploys it into a
headless runtime with the core nodes, and runs until SIGTERM or SIGINT (Ctrl-C), then stops the
sources, drains the queues within a bound and exits 0.

  stdout  one JSON line per debug-node message: {"node","name","msgId","time","value"}
  stderr  structured JSON log lines: {"time","level","message",...}

Options:
  --data-dir DIR         Persist node/flow/global context here (default: memory only)
  --metrics-port N       Serve GET /health and GET /metrics (Prometheus) on port N; 0 picks a
                         free port, logged as "metrics server listening"
  --metrics-host HOST    Interface for the metrics server (default 127.0.0.1)
  --log-level LEVEL      debug | info | warn | error (default info)
  -h, --help             Show this help

Exit: 0 after a graceful stop, 1 invalid flow or runtime failure, 2 usage or unreadable file,
3 metrics port taken or data directory unusable.`;

/** Run the CLI with arguments (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: readonly string[], ctx: CliContext): Promise<ExitCode> {
  const out = (line: string) => ctx.stdout(`${line}\n`);
  const err = (line: string) => ctx.stderr(`${line}\n`);
  try {
    return await dispatch(argv, ctx, out, err);
  } catch (error) {
    if (error instanceof CliError) {
      err(`plantwire: ${error.message}`);
      if (error.exitCode === EXIT.USAGE && error.message.startsWith('usage:')) err('Run "plantwire --help" for usage.');
      return error.exitCode;
    }
    err(`plantwire: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return EXIT.INVALID;
  }
}

async function dispatch(argv: readonly string[], ctx: CliContext, out: (line: string) => void, err: (line: string) => void): Promise<ExitCode> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      err(MAIN_HELP);
      return EXIT.USAGE;
    case '-h':
    case '--help':
      out(MAIN_HELP);
      return EXIT.OK;
    case 'help': {
      const topic = rest[0];
      if (topic === undefined) out(MAIN_HELP);
      else if (topic === 'validate') out(VALIDATE_HELP);
      else if (topic === 'run') out(RUN_HELP);
      else throw usage(`unknown command "${topic}"; commands: validate, run`);
      return EXIT.OK;
    }
    case '-v':
    case '--version':
      out(ctx.version);
      return EXIT.OK;
    case 'validate': {
      const { values, positionals } = parse(rest, 'validate', { help: { type: 'boolean', short: 'h' } });
      if (values.help) return help(out, VALIDATE_HELP);
      if (positionals.length === 0) throw usage('validate needs a FILE: plantwire validate FILE...');
      return validateCommand({ files: positionals, nodeTypes: ctx.nodeTypes, connectionTypes: ctx.connectionTypes ?? [], env: ctx.env, out });
    }
    case 'run': {
      const { values, positionals } = parse(rest, 'run', {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        'metrics-port': { type: 'string' },
        'metrics-host': { type: 'string', default: '127.0.0.1' },
        'log-level': { type: 'string', default: 'info' },
      });
      if (values.help) return help(out, RUN_HELP);
      if (positionals.length !== 1) throw usage(positionals.length === 0 ? 'run needs a FILE: plantwire run FILE' : `run takes one FILE, got ${positionals.length}`);
      const level = values['log-level'] as string;
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
      const portText = values['metrics-port'] as string | undefined;
      const metricsPort = portText === undefined ? undefined : Number(portText);
      if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535 && /^\d+$/.test(portText!))) {
        throw usage(`--metrics-port must be a port number 0-65535, got "${portText}"`);
      }
      // Loaded on demand: `validate` and `--help` never pay for starting the runtime's modules.
      const { runCommand } = await import('./run-command.js');
      return runCommand({
        file: positionals[0]!,
        nodeTypes: ctx.nodeTypes,
        connectionTypes: ctx.connectionTypes ?? [],
        env: ctx.env,
        dataDir: values['data-dir'] as string | undefined,
        metricsPort,
        metricsHost: values['metrics-host'] as string,
        logger: createJsonLogger(ctx.stderr, level as LogLevel),
        out,
        err,
      });
    }
    default:
      throw usage(command.startsWith('-') ? `unknown option ${command}` : `unknown command "${command}"; commands: validate, run`);
  }
}

type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; default?: string }>;

function parse(args: readonly string[], command: string, options: OptionSpec) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages are long; keep the first sentence and point at the command's help
    const message = (error as Error).message.split('. ')[0]!.replace(/^Unknown option '(.+)'$/, 'unknown option $1');
    throw usage(`${command}: ${message} (see "plantwire ${command} --help")`);
  }
}

function usage(message: string): CliError {
  return new CliError(EXIT.USAGE, `usage: ${message}`);
}

function help(out: (line: string) => void, text: string): ExitCode {
  out(text);
  return EXIT.OK;
}
