/**
 * Structured JSON logs, one object per line, with correlation keys (project, branch, commit, event id) carried by
 * child loggers. Lambda's JSON log format keeps these objects as they are.
 */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type LogContext = Record<string, unknown>;

export interface Logger {
  debug(message: string, extra?: LogContext): void;
  info(message: string, extra?: LogContext): void;
  warn(message: string, extra?: LogContext): void;
  error(message: string, extra?: LogContext): void;
  /** A logger that adds `context` to every line. */
  child(context: LogContext): Logger;
}

const ORDER: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function createLogger(
  context: LogContext = {},
  options: { level?: LogLevel; write?: (line: string) => void } = {},
): Logger {
  const envLevel = (process.env.LOG_LEVEL ?? '').toUpperCase();
  const level: LogLevel = options.level ?? (envLevel in ORDER ? (envLevel as LogLevel) : 'INFO');
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (lvl: LogLevel, message: string, extra?: LogContext) => {
    if (ORDER[lvl] < ORDER[level]) return;
    write(JSON.stringify({ level: lvl, timestamp: new Date().toISOString(), message, ...context, ...extra }));
  };
  return {
    debug: (m, e) => emit('DEBUG', m, e),
    info: (m, e) => emit('INFO', m, e),
    warn: (m, e) => emit('WARN', m, e),
    error: (m, e) => emit('ERROR', m, e),
    child: (more) => createLogger({ ...context, ...more }, { level, write }),
  };
}
