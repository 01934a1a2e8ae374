/**
 * Debian's mosquitto started by a test on 127.0.0.1 (MQTT 5 features the embedded aedes broker
 * lacks). A missing binary fails with a clear message: scripts/ensure-system-packages.sh installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running mosquitto. */
export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** Kill it (SIGKILL, as a crashed broker) and start it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** The extra listeners asked for with `startMosquitto({ listeners })`, in the same order (empty without). */
  readonly listeners: readonly MosquittoListenerEndpoint[];
}

/**
 * An extra mosquitto listener beside the plain MQTT one: MQTT over TCP (default) or WebSockets,
 * optionally with TLS. PEM texts are written into the broker's temp dir, never into the repo.
 */
export interface MosquittoListener {
  protocol?: 'mqtt' | 'websockets';
  tls?: {
    /** CA that signed the server certificate, and that client certificates must chain to. */
    ca: string;
    cert: string;
    key: string;
    /** mosquitto's require_certificate: refuse clients without a certificate signed by `ca`. */
    requireCertificate?: boolean;
  };
}

/** Where an extra listener answers: `url` is mqtt://, mqtts://, ws:// or wss:// on 127.0.0.1. */
export interface MosquittoListenerEndpoint {
  readonly port: number;
  readonly url: string;
}

/** The absolute path of a Debian binary, or an Error that says how to install it. */
export function requireBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`the test needs "${name}" (Debian packages mosquitto and mosquitto-clients); run scripts/ensure-system-packages.sh as root`);
}

/** A TCP port that was free a moment ago (≥ 20000, from the OS's ephemeral range). */
export async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (port >= 20000) return port;
  }
}

/** Start mosquitto on 127.0.0.1; with `users`, anonymous clients are refused and these name/password pairs accepted; `acl` is an acl_file's text. */
export async function startMosquitto(options: { users?: Record<string, string>; acl?: string; listeners?: readonly MosquittoListener[] } = {}): Promise<Mosquitto> {
  const binary = requireBinary('mosquitto');
  const dir = await mkdtemp(join(tmpdir(), 'plantwire-mosquitto-'));
  const port = await freePort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning', 'log_type notice', 'log_type information'];
  if (options.users) {
    const passwd = requireBinary('mosquitto_passwd');
    const file = join(dir, 'passwd');
    for (const [i, [user, password]] of Object.entries(options.users).entries()) {
      const r = spawnSync(passwd, [...(i === 0 ? ['-c'] : []), '-b', file, user, password], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`mosquitto_passwd failed: ${r.stderr}`);
    }
    // Started as root, mosquitto drops to the "mosquitto" user, which must be able to read the file.
    await chmod(dir, 0o755);
    await chmod(file, 0o644);
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.acl !== undefined) {
    const file = join(dir, 'acl');
    await writeFile(file, options.acl);
    await chmod(dir, 0o755);
    await chmod(file, 0o644);
    lines.push(`acl_file ${file}`);
  }
  // Global settings (allow_anonymous, password_file, acl_file) must precede the extra listeners:
  // with per_listener_settings false (the default) they apply to every listener.
  const listeners: MosquittoListenerEndpoint[] = [];
  for (const [i, listener] of (options.listeners ?? []).entries()) {
    let extraPort = await freePort();
    // Two probes in a row may be handed the same free port.
    while (extraPort === port || listeners.some((l) => l.port === extraPort)) extraPort = await freePort();
    const ws = listener.protocol === 'websockets';
    // mosquitto 2.0.11 hands a websockets listener's address to libwebsockets, which ignores an IP
    // (it would listen on every interface, eclipse-mosquitto/mosquitto#3045) but takes an
    // interface name: "lo" keeps it on 127.0.0.1.
    lines.push(`listener ${extraPort} ${ws ? 'lo' : '127.0.0.1'}`);
    if (ws) lines.push('protocol websockets');
    if (listener.tls) {
      // Started as root, mosquitto drops to the "mosquitto" user, which must be able to read them.
      await chmod(dir, 0o755);
      for (const [name, pem] of [['ca', listener.tls.ca], ['cert', listener.tls.cert], ['key', listener.tls.key]] as const) {
        const file = join(dir, `listener-${i}-${name}.pem`);
        await writeFile(file, pem, { mode: 0o644 });
        lines.push(`${name === 'ca' ? 'cafile' : name === 'cert' ? 'certfile' : 'keyfile'} ${file}`);
      }
      if (listener.tls.requireCertificate) lines.push('require_certificate true');
    }
    const scheme = ws ? (listener.tls ? 'wss' : 'ws') : listener.tls ? 'mqtts' : 'mqtt';
    listeners.push({ port: extraPort, url: `${scheme}://127.0.0.1:${extraPort}` });
  }
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `${lines.join('\n')}\n`);

  let child: ChildProcess | undefined;
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      let output = '';
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        output += chunk;
        // mosquitto says "Opening ipv4 listen socket on port N." then "mosquitto version … running".
        if (/ running/.test(output)) resolve();
      });
      proc.once('exit', (code) => reject(new Error(`mosquitto exited (code ${code}) before it was running:\n${output}`)));
      proc.once('error', reject);
    });
  const kill = async (signal: NodeJS.Signals) => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill(signal);
    });
  };
  await launch();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    listeners,
    async restart() {
      await kill('SIGKILL');
      await launch();
    },
    async stop() {
      await kill('SIGTERM');
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Run a mosquitto client binary to completion, failing with its output on a non-zero exit. */
export function runClient(name: 'mosquitto_pub' | 'mosquitto_sub', args: string[]): Promise<string> {
  const binary = requireBinary(name);
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${name} ${args.join(' ')} exited with ${code}: ${err}`))));
  });
}
