import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { restartablePort } from './ports.js';

/** A mosquitto process of the suite's own. */
export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  /** The broker's process id (for its memory), undefined while stopped. */
  readonly pid: number | undefined;
  /** SIGTERM and wait for the exit (with `persistence true` it writes its store first). */
  stop(): Promise<void>;
  /** Start it again on the same port with the same config (and store). */
  start(): Promise<void>;
  /** Stop it and remove its folder. */
  dispose(): Promise<void>;
}

/** Options of {@link startMosquitto}. */
export interface MosquittoOptions {
  /** Keep sessions and queued QoS 1/2 messages across a restart (`persistence true`). */
  readonly persistence?: boolean;
  /**
   * mosquitto's `max_queued_messages` per client (its default is 1000: a slow QoS 1 subscriber
   * would lose the rest). 0 = no limit.
   */
  readonly maxQueuedMessages?: number;
}

/**
 * Debian's mosquitto on 127.0.0.1 and an ephemeral port, with a config written for the case
 * (packages/nodes-mqtt's test helper has no persistence or queue settings).
 */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  const binary = ['/usr/sbin/mosquitto', '/usr/bin/mosquitto'].find((p) => existsSync(p));
  if (!binary) throw new Error('the fault suite needs mosquitto (Debian package mosquitto): run scripts/ensure-system-packages.sh as root');
  const dir = await mkdtemp(join(tmpdir(), 'plantwire-faults-mosquitto-'));
  // Started as root, mosquitto drops to the "mosquitto" user, which must be able to write its store here.
  await chmod(dir, 0o777);
  // Outside the ephemeral range: a stopped broker's port must still be its own when it starts again.
  const port = await restartablePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    `persistence ${options.persistence ? 'true' : 'false'}`,
    `persistence_location ${dir}/`,
    `max_queued_messages ${options.maxQueuedMessages ?? 1000}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    // "mosquitto version … running", which launch() waits for, is an information line.
    'log_type information',
  ];
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(conf, `${lines.join('\n')}\n`, { mode: 0o644 });

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(binary, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      exited = new Promise((done) => proc.once('exit', () => done()));
      let output = '';
      const timer = setTimeout(() => reject(new Error(`mosquitto gave no "running" line within 10 s:\n${output}`)), 10_000);
      proc.stderr!.setEncoding('utf8');
      proc.stderr!.on('data', (chunk: string) => {
        // Keep only the start-up lines: a long case would otherwise collect every connect notice.
        if (output.length < 20_000) output += chunk;
        if (/ running/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`mosquitto exited (code ${code}) before it was running:\n${output}`));
      });
      proc.once('error', reject);
    });
  await launch();
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    await exited;
  };
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    stop,
    start: launch,
    async dispose() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
