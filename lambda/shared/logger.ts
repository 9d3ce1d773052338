/**
 * Structured JSON logs, one object per line, through Powertools for AWS Lambda's Logger: `level`, `message`,
 * `timestamp`, `service` (POWERTOOLS_SERVICE_NAME), then the correlation keys (project, branch, commit, event id)
 * carried by child loggers and the line's own fields. A thin adapter: the functions' modules see only `Logger`.
 *
 * Level: `options.level`, else POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, else INFO (Powertools' order; Lambda's own
 * application log level, AWS_LAMBDA_LOG_LEVEL, wins over both when set). Top-level fields that are undefined, null
 * or '' are left out of the line.
 */
import { LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

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

export interface LoggerOptions {
  /** @default - POWERTOOLS_LOG_LEVEL, LOG_LEVEL, else INFO */
  readonly level?: LogLevel;
  /** Receives each line instead of stdout (tests, benchmarks). @default - stdout (stderr for WARN and ERROR) */
  readonly write?: (line: string) => void;
  /** The `service` key. @default - POWERTOOLS_SERVICE_NAME */
  readonly serviceName?: string;
}

/** Powertools' Logger, printing each line to `write` when one is given. */
class LineLogger extends PowertoolsLogger {
  // Assigned after super(): Powertools may print (a warning) while constructing, to the console then.
  private write?: (line: string) => void;

  constructor(options: ConstructorOptions, write?: (line: string) => void) {
    super(options);
    this.write = write;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (this.write === undefined) return super.printLog(logLevel, log);
    log.prepareForPrint();
    this.write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/** The function's service, the `service` of its logs and metrics: POWERTOOLS_SERVICE_NAME, else `fallback`. */
export function serviceName(fallback: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.POWERTOOLS_SERVICE_NAME || fallback;
}

const LEVELS: readonly string[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

/** POWERTOOLS_LOG_LEVEL, else LOG_LEVEL, in any case (`debug` too); undefined when neither names a level. */
export function levelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevel | undefined {
  const value = (env.POWERTOOLS_LOG_LEVEL || env.LOG_LEVEL || '').toUpperCase();
  return LEVELS.includes(value) ? (value as LogLevel) : undefined;
}

export function createLogger(context: LogContext = {}, options: LoggerOptions = {}): Logger {
  const powertools = new LineLogger(
    { logLevel: options.level ?? levelFromEnv(), serviceName: options.serviceName, persistentKeys: context },
    options.write,
  );
  return adapt(powertools, {});
}

/** One Powertools logger per function; a child only merges its keys into each line (no per-child instance). */
function adapt(powertools: PowertoolsLogger, context: LogContext): Logger {
  const fields = (extra?: LogContext) => ({ ...context, ...extra });
  return {
    debug: (message, extra) => powertools.debug(message, fields(extra)),
    info: (message, extra) => powertools.info(message, fields(extra)),
    warn: (message, extra) => powertools.warn(message, fields(extra)),
    error: (message, extra) => powertools.error(message, fields(extra)),
    child: (more) => adapt(powertools, { ...context, ...more }),
  };
}
