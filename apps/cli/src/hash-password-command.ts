import { hashPassword } from '@plantwire/server/password-hash';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';

/** Hash passwords shorter than this? No: refuse them, an admin password guards device writes. */
const MIN_LENGTH = 8;

/**
 * `plantwire hash-password`: read a password from stdin (its first line), print the scrypt hash
 * for PLANTWIRE_ADMIN_PASSWORD_HASH. The password is never printed or stored.
 */
export async function hashPasswordCommand(options: { readStdin: () => Promise<string>; out: (line: string) => void }): Promise<ExitCode> {
  const text = await options.readStdin();
  const password = (text.split(/\r?\n/)[0] ?? '').trimEnd();
  if (password.length === 0) throw new CliError(EXIT.USAGE, 'usage: hash-password reads the password from stdin: plantwire hash-password < password.txt');
  if (password.length < MIN_LENGTH) throw new CliError(EXIT.USAGE, `usage: hash-password: the password is shorter than ${MIN_LENGTH} characters`);
  options.out(await hashPassword(password));
  return EXIT.OK;
}
