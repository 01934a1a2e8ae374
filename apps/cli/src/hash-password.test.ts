import { describe, expect, it } from 'vitest';
import { verifyPassword } from '@plantwire/server/password-hash';
import { runCli } from './cli.js';

async function hashPassword(stdin: string) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(['hash-password'], {
    version: '0.0.0',
    nodeTypes: [],
    env: {},
    stdout: (t) => void stdout.push(t),
    stderr: (t) => void stderr.push(t),
    readStdin: async () => stdin,
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('plantwire hash-password', () => {
  it('prints an scrypt hash of the first stdin line that verifies, and never the password', async () => {
    const { code, stdout } = await hashPassword('correct horse battery\nignored second line\n');
    expect(code).toBe(0);
    const hash = stdout.trim();
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(stdout).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('refuses an empty or short password with a usage error (exit 2)', async () => {
    expect((await hashPassword('')).code).toBe(2);
    const short = await hashPassword('abc\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/shorter than 8 characters/);
  });
});
