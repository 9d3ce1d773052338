/**
 * The functions' logger: a thin adapter over Powertools Logger that keeps the `Logger` interface the modules use.
 */
import { createLogger, levelFromEnv, LoggerOptions } from '../../../lambda/shared/logger';

function capture(context: Record<string, unknown> = {}, options: LoggerOptions = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(context, { ...options, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('createLogger', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    delete process.env.LOG_LEVEL;
    delete process.env.POWERTOOLS_LOG_LEVEL;
    delete process.env.AWS_LAMBDA_LOG_LEVEL;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  it('writes one JSON object per line: level, message, timestamp, service, the context and the fields', () => {
    const { logger, lines } = capture({ project: 'fraud' }, { serviceName: 'branch-pipeline' });
    logger.info('branch stack exists', { status: 'CREATE_COMPLETE', count: 2 });
    expect(lines).toEqual([
      {
        level: 'INFO',
        message: 'branch stack exists',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        service: 'branch-pipeline',
        sampling_rate: 0,
        project: 'fraud',
        status: 'CREATE_COMPLETE',
        count: 2,
      },
    ]);
  });

  it('adds a child’s keys to every line of the child, not of the parent; a line’s fields win', () => {
    const { logger, lines } = capture({ project: 'fraud' });
    const child = logger.child({ eventId: 'e-1', branch: 'experiment/a' }).child({ commit: 'c1' });
    child.warn('w', { branch: 'experiment/b' });
    logger.info('i');
    expect(lines[0]).toMatchObject({ level: 'WARN', project: 'fraud', eventId: 'e-1', commit: 'c1' });
    expect(lines[0]?.branch).toBe('experiment/b');
    expect(lines[1]).not.toHaveProperty('eventId');
    expect(lines[1]).not.toHaveProperty('commit');
  });

  it('keeps nested values and drops top-level fields that are undefined, null or empty', () => {
    const { logger, lines } = capture();
    logger.error('event failed', {
      error: { name: 'ValidationError', message: 'bad' },
      failed: [{ target: 'a', error: 'x' }],
      previous: undefined,
      none: null,
      empty: '',
    });
    expect(lines[0]).toMatchObject({
      error: { name: 'ValidationError', message: 'bad' },
      failed: [{ target: 'a', error: 'x' }],
    });
    for (const key of ['previous', 'none', 'empty']) expect(lines[0]).not.toHaveProperty(key);
  });

  it('never lets a field overwrite its own keys: the field is dropped, with a warning line', () => {
    const { logger, lines } = capture();
    logger.info('the message', { message: 'another', level: 'DEBUG', kept: 1 });
    const line = lines.find((l) => l.kept === 1);
    expect(line).toMatchObject({ level: 'INFO', message: 'the message' });
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'The key "message" is a reserved key and will be dropped.' }),
    );
  });

  it('takes the level from the options, else POWERTOOLS_LOG_LEVEL, else LOG_LEVEL (any case), else INFO', () => {
    const levels = (options: LoggerOptions = {}) => {
      const { logger, lines } = capture({}, options);
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      return lines.map((line) => line.level);
    };
    expect(levels()).toEqual(['INFO', 'WARN', 'ERROR']);
    process.env.LOG_LEVEL = 'error';
    expect(levels()).toEqual(['ERROR']);
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    expect(levels()).toEqual(['DEBUG', 'INFO', 'WARN', 'ERROR']);
    expect(levels({ level: 'WARN' })).toEqual(['WARN', 'ERROR']);
  });

  it('reads no level from a variable that names none', () => {
    expect(levelFromEnv({ LOG_LEVEL: 'verbose' })).toBeUndefined();
    expect(levelFromEnv({ LOG_LEVEL: 'warn' })).toBe('WARN');
    expect(levelFromEnv({ POWERTOOLS_LOG_LEVEL: 'Info', LOG_LEVEL: 'ERROR' })).toBe('INFO');
  });

  it('prints to stdout without `write`, one line per call', () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      createLogger({ project: 'fraud' }, { serviceName: 'release-model' }).info('printed', { outcome: 'approved' });
      expect(write).toHaveBeenCalledTimes(1);
      const line = String(write.mock.calls[0]?.[0]);
      expect(line.endsWith('\n')).toBe(true);
      expect(JSON.parse(line)).toMatchObject({ level: 'INFO', service: 'release-model', outcome: 'approved' });
    } finally {
      write.mockRestore();
    }
  });
});
