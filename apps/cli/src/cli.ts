import { parseArgs } from 'node:util';
import type { AnyConnectionType, AnyNodeType } from '@plantwire/node-sdk';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { createJsonLogger, LOG_LEVELS, type LogLevel } from './json-logger.js';
import { validateCommand } from './validate-command.js';

/** Where the CLI writes and what it runs with; tests and `main.ts` hand it in. */
export interface CliContext {
  readonly version: string;
  readonly nodeTypes: readonly AnyNodeType[];
  /** Connection types the node packages bring (MQTT brokers, OPC UA endpoints, Modbus devices). */
  readonly connectionTypes?: readonly AnyConnectionType[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** All of stdin (hash-password); default: the process's. */
  readonly readStdin?: () => Promise<string>;
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const EXIT_CODES_HELP = `Exit codes:
  0  success (validate: no errors; warnings alone still exit 0)
  1  the flow document is invalid, or the runtime failed
  2  usage error (unknown command or option, missing argument) or the file cannot be read
  3  a service could not start (metrics or plant port taken, data directory unusable)`;

const MAIN_HELP = `plantwire: check and run Plantwire flow documents

Usage:
  plantwire <command> [options]

Commands:
  validate FILE...   Check flow documents; print every problem with its place, node id and JSON path
  run FILE           Run a flow document headless (debug output as JSON lines, logs as JSON on stderr)
  sim                Start the simulated plant (MQTT broker, Modbus TCP PLC, OPC UA server) on 127.0.0.1
  start [FILE]       The simulated plant, the editor (http://127.0.0.1:1880) and a runtime running the flow
  hash-password      Hash an admin password read from stdin (for PLANTWIRE_ADMIN_PASSWORD_HASH)

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
headless runtime with the core, MQTT, OPC UA and Modbus nodes, and runs until SIGTERM or SIGINT
(Ctrl-C), then stops the sources, drains the queues within a bound and exits 0.

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

const SIM_HELP = `Usage: plantwire sim [options]

Starts the simulated plant on 127.0.0.1, all driven by one scenario: an MQTT broker (MQTT 3.1.1),
a Modbus TCP PLC (one unit id per machine) and an OPC UA server (endpoint /UA/Plant). Prints the
endpoints, the register map's location and the OPC UA node ids, then runs until SIGTERM or SIGINT
(Ctrl-C) and closes every server.

  stdout  a readable block with the endpoints
  stderr  structured JSON log lines: "plant running" with {"endpoints"}, faults, writes

Options:
  --scenario FILE      A *.plant.json scenario (default: packages/sim/scenarios/default.plant.json)
  --mqtt-port N        MQTT broker port (default 1883; 0 picks a free port)
  --modbus-port N      Modbus TCP port (default 5020; 0 picks a free port)
  --opcua-port N       OPC UA port (default 4840; 0 picks a free port)
  --data-dir DIR       Keep the OPC UA PKI (server certificate) here (default: a temp folder)
  --log-level LEVEL    debug | info | warn | error (default info)
  -h, --help           Show this help

Exit: 0 after a graceful stop, 1 invalid scenario, 2 usage or unreadable scenario file,
3 a port is taken.`;

const START_HELP = `Usage: plantwire start [FILE] [options]

Starts the simulated plant (as "plantwire sim"), the server with the editor and one runtime, and
prints the editor's address:

  Plantwire editor: http://127.0.0.1:1880

The flows live in DATA_DIR/flows.json; FILE (default examples/line-monitor.flow.json) is the first
flow of a new data dir. The plant's endpoints reach the flow as MQTT_URL, MODBUS_HOST, MODBUS_PORT
and OPCUA_URL (set over the document's env at deploy, never stored). With
PLANTWIRE_ADMIN_PASSWORD_HASH set (see "plantwire hash-password"), the editor asks for the password.
SIGTERM or SIGINT (Ctrl-C) closes the server (the flow drained), then the plant, and exits 0.

  stdout  the plant's endpoint block, the editor's URL, then one JSON line per debug-node message
  stderr  structured JSON log lines of the plant, the server and the runtime

Options:
  --port N             Editor and API port (default 1880; 0 picks a free port)
  --host HOST          Interface to listen on (default 127.0.0.1). Another interface needs
                       PLANTWIRE_ADMIN_PASSWORD_HASH, or --insecure-expose
  --insecure-expose    Listen on a non-loopback interface without a password anyway
  --data-dir DIR       Flows, credentials and context (default .plantwire); the plant's PKI in DIR/plant
  --no-sim             Do not start the simulated plant (the flow talks to real devices)
  --scenario FILE      A *.plant.json scenario (default: the built-in one)
  --mqtt-port N        MQTT broker port (default 1883; 0 picks a free port)
  --modbus-port N      Modbus TCP port (default 5020; 0 picks a free port)
  --opcua-port N       OPC UA port (default 4840; 0 picks a free port)
  --log-level LEVEL    debug | info | warn | error (default info)
  -h, --help           Show this help

Exit: 0 after a graceful stop, 1 invalid flow file or scenario, 2 usage or unreadable file or
refused exposure, 3 a port is taken or the data directory is unusable.`;

const HASH_PASSWORD_HELP = `Usage: plantwire hash-password < password.txt

Reads a password from stdin (the first line; type it and press Enter, then Ctrl-D) and prints its
scrypt hash, for PLANTWIRE_ADMIN_PASSWORD_HASH:

  export PLANTWIRE_ADMIN_PASSWORD_HASH="$(plantwire hash-password < password.txt)"

The password itself is stored nowhere.

Options:
  -h, --help   Show this help`;

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
      else if (topic === 'sim') out(SIM_HELP);
      else if (topic === 'start') out(START_HELP);
      else if (topic === 'hash-password') out(HASH_PASSWORD_HELP);
      else throw usage(`unknown command "${topic}"; commands: validate, run, sim, start, hash-password`);
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
    case 'sim':
    case 'start': {
      const { values, positionals } = parse(rest, command, {
        help: { type: 'boolean', short: 'h' },
        scenario: { type: 'string' },
        'mqtt-port': { type: 'string' },
        'modbus-port': { type: 'string' },
        'opcua-port': { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string', default: 'info' },
        ...(command === 'start'
          ? { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, 'no-sim': { type: 'boolean' }, 'insecure-expose': { type: 'boolean' } }
          : {}),
      });
      if (values.help) return help(out, command === 'sim' ? SIM_HELP : START_HELP);
      if (command === 'sim' && positionals.length > 0) throw usage(`sim takes no FILE (use --scenario FILE), got "${positionals[0]}"`);
      if (positionals.length > 1) throw usage(`start takes one FILE, got ${positionals.length}`);
      const level = values['log-level'] as string;
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`);
      const ports: { mqtt?: number; modbus?: number; opcua?: number } = {};
      for (const server of ['mqtt', 'modbus', 'opcua'] as const) {
        const port = portOption(`--${server}-port`, values[`${server}-port`] as string | undefined);
        if (port !== undefined) ports[server] = port;
      }
      const dataDir = values['data-dir'] as string | undefined;
      const logger = createJsonLogger(ctx.stderr, level as LogLevel);
      const plantOptions = { scenarioFile: values.scenario as string | undefined, ports, logger, out };
      if (command === 'sim') {
        // Loaded on demand: the plant's servers (and node-opcua) cost nothing unless `sim` runs.
        const { simCommand } = await import('./sim-command.js');
        return simCommand({ ...plantOptions, dataDir });
      }
      const host = values['host'] as string;
      if (host.trim() === '') throw usage('--host needs an interface address, e.g. 127.0.0.1');
      const { startCommand, DEFAULT_START_FLOW, DEFAULT_DATA_DIR } = await import('./start-command.js');
      return startCommand({
        ...plantOptions,
        file: positionals[0] ?? DEFAULT_START_FLOW,
        fileGiven: positionals[0] !== undefined,
        dataDir: dataDir ?? DEFAULT_DATA_DIR,
        host,
        port: portOption('--port', values['port'] as string | undefined) ?? 1880,
        sim: values['no-sim'] !== true,
        insecureExpose: values['insecure-expose'] === true,
        nodeTypes: ctx.nodeTypes,
        connectionTypes: ctx.connectionTypes ?? [],
        env: ctx.env,
        err,
      });
    }
    case 'hash-password': {
      const { values } = parse(rest, 'hash-password', { help: { type: 'boolean', short: 'h' } });
      if (values.help) return help(out, HASH_PASSWORD_HELP);
      const { hashPasswordCommand } = await import('./hash-password-command.js');
      return hashPasswordCommand({ readStdin: ctx.readStdin ?? readProcessStdin, out });
    }
    default:
      throw usage(command.startsWith('-') ? `unknown option ${command}` : `unknown command "${command}"; commands: validate, run, sim, start, hash-password`);
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

/** A `--x-port N` value: undefined when absent, else an integer 0-65535 (0 = any free port). */
function portOption(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const port = Number(text);
  if (!(/^\d+$/.test(text) && Number.isInteger(port) && port <= 65535)) throw usage(`${name} must be a port number 0-65535, got "${text}"`);
  return port;
}

function usage(message: string): CliError {
  return new CliError(EXIT.USAGE, `usage: ${message}`);
}

function help(out: (line: string) => void, text: string): ExitCode {
  out(text);
  return EXIT.OK;
}
