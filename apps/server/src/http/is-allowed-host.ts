/** Hosts that are this machine. */
const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[?::1\]?)$/i;

/** True when `host` names the loopback interface (`127.0.0.1`, `localhost`, `::1`). */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

/** True when a Host header (`name:port`) names one of `allowed` (compared without the port, case-insensitively). */
export function isAllowedHost(header: string | undefined, allowed: readonly string[]): boolean {
  if (header === undefined) return false;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.split(':')[0]!;
  return allowed.some((a) => a.toLowerCase() === name.toLowerCase());
}
