/**
 * What every benchmark hands red.js: a settings.js with telemetry, palette installs and external
 * modules off and logs on the console, so Node-RED runs the flow and nothing else. One definition,
 * so every scenario measures the same Node-RED.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface NodeRedSettingsOptions {
  /** No admin/editor and no HTTP-in servers (like `plantwire run`). */
  readonly headless: boolean;
  /** The editor's port on 127.0.0.1; 0 (default) when headless. */
  readonly port?: number;
  /** Extra folders Node-RED loads node packages from (node-red-contrib-modbus, the bench sink). */
  readonly nodesDir?: readonly string[];
}

/** The settings.js text. */
export function nodeRedSettingsJs(options: NodeRedSettingsOptions): string {
  const settings = {
    flowFile: 'flows.json',
    credentialSecret: false,
    uiHost: '127.0.0.1',
    uiPort: options.port ?? 0,
    ...(options.headless ? { httpAdminRoot: false, httpNodeRoot: false } : {}),
    ...(options.nodesDir ? { nodesDir: [...options.nodesDir] } : {}),
    telemetry: { enabled: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    externalModules: { autoInstall: false, palette: { allowInstall: false } },
    functionExternalModules: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  return `module.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

/** Write `<dir>/settings.js` and return its path. */
export function writeNodeRedSettings(dir: string, options: NodeRedSettingsOptions): string {
  const file = join(dir, 'settings.js');
  writeFileSync(file, nodeRedSettingsJs(options));
  return file;
}

/** A free TCP port on 127.0.0.1 (listen on 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}
