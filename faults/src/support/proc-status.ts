import { readFile } from 'node:fs/promises';

/**
 * The `kB` fields of /proc/<pid>/status (VmHWM: peak resident set size, VmRSS: now). Linux only,
 * as the suite is. Rejects when the process is gone.
 */
export async function readProcStatusKb(pid: number): Promise<Record<string, number>> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const fields: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) fields[m[1]!] = Number(m[2]);
  }
  return fields;
}

