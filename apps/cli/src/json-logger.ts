import { isoTime, type LogEvent, type RuntimeLogger } from '@plantwire/runtime';
import { toJsonLine } from './to-json-line.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The CLI's logger: one JSON object per line (time, level, message, then fields), at or above a level. */
export interface JsonLogger extends RuntimeLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function createJsonLogger(write: (line: string) => void, minLevel: LogLevel = 'info', now: () => Date = () => new Date()): JsonLogger {
  const threshold = LOG_LEVELS.indexOf(minLevel);
  const log = (entry: LogEvent): void => {
    if (LOG_LEVELS.indexOf(entry.level) < threshold) return;
    // time, level and message first so the lines read well in a terminal as well as in a collector
    const { time, level, message, ...fields } = entry;
    write(`${toJsonLine({ time, level, message, ...fields })}\n`);
  };
  const at =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      log({ ...fields, time: isoTime(now()), level, message });
  return { log, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
