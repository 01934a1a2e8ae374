/**
 * A throw-away PKI made at test time with the openssl CLI: a CA, a server certificate for
 * 127.0.0.1 signed by it, a client certificate signed by it, and an unrelated CA. Nothing is
 * checked into the repo; the temp dir is removed by `remove()`. EC P-256 keys: ~10 ms each.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** PEM texts of one certificate and its private key. */
export interface TestIdentity {
  readonly cert: string;
  readonly key: string;
}

/** Everything a TLS test needs; `dir` holds the same PEMs as files (`ca.crt`, `server.crt`, …). */
export interface TestPki {
  readonly dir: string;
  readonly ca: TestIdentity;
  readonly server: TestIdentity;
  readonly client: TestIdentity;
  /** A CA that signed nothing here: trusting only it must fail verification. */
  readonly otherCa: TestIdentity;
  remove(): Promise<void>;
}

function openssl(binary: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { cwd }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve();
    });
  });
}

function requireOpenssl(): string {
  for (const dir of ['/usr/bin', '/usr/local/bin', '/bin']) {
    if (existsSync(join(dir, 'openssl'))) return join(dir, 'openssl');
  }
  throw new Error('the TLS interop tests need the "openssl" CLI (Debian package openssl); run scripts/ensure-system-packages.sh as root');
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Make a fresh CA, server (SAN IP:127.0.0.1, DNS:localhost) and client certificate, valid one day. */
export async function createTestPki(): Promise<TestPki> {
  const binary = requireOpenssl();
  const dir = await mkdtemp(join(tmpdir(), 'plantwire-pki-'));
  const run = (args: string[]) => openssl(binary, args, dir);
  const selfSigned = (name: string, cn: string) => run(['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '1', '-subj', `/CN=${cn}`]);
  const signed = async (name: string, cn: string, ext: string) => {
    await run(['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    await writeFile(join(dir, `${name}.ext`), `${ext}\n`);
    const serial = `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`;
    await run(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '1', '-out', `${name}.crt`, '-extfile', `${name}.ext`]);
  };
  try {
    await Promise.all([selfSigned('ca', 'Plantwire test CA'), selfSigned('other-ca', 'Unrelated test CA')]);
    await Promise.all([
      signed('server', '127.0.0.1', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth'),
      signed('client', 'plantwire-test-client', 'extendedKeyUsage=clientAuth'),
    ]);
    const identity = async (name: string): Promise<TestIdentity> => ({
      cert: await readFile(join(dir, `${name}.crt`), 'utf8'),
      key: await readFile(join(dir, `${name}.key`), 'utf8'),
    });
    return {
      dir,
      ca: await identity('ca'),
      server: await identity('server'),
      client: await identity('client'),
      otherCa: await identity('other-ca'),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
