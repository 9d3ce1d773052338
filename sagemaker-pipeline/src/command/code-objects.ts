/**
 * The code objects `node run.js` uploads before it upserts the pipeline: step scripts, per script-mode model its
 * source directory packed as sourcedir.tar.gz, and the data sources' code.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeLocation } from '../definition';
import { scriptPaths } from '../pipeline-file';
import { sourceCodeObjects } from '../sources';
import { EXTRACT_SCRIPT, WarehouseError } from '../sql-source';
import { tarGz } from '../tarball';
import { RunOptions, UsageError } from './run-options';

function readScript(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch {
    throw new UsageError(`step script ${file} is missing`);
  }
}

/**
 * The objects to upload: each processing and evaluation script as it is (by file name), and per script-mode model
 * its entry's directory (every .py in it, so helper modules come along) packed as the framework containers expect.
 */
export function codeObjects(options: RunOptions): { key: string; body: Buffer; contentType: string }[] {
  const { spec } = options.config;
  const code = codeLocation(options.context);
  const objects = new Map<string, { key: string; body: Buffer; contentType: string }>();
  const trainingEntries = new Set(spec.models.map((m) => m.training.entry).filter((e) => e !== undefined));
  for (const script of scriptPaths(spec)) {
    if (trainingEntries.has(script) && !spec.models.some((m) => m.evaluation.script === script)) continue;
    const key = code.key(code.script(script));
    const existing = objects.get(key);
    const body = readScript(path.resolve(options.seedRoot, script));
    if (existing !== undefined && !existing.body.equals(body)) {
      throw new UsageError(`two different scripts are named ${code.script(script)}: give them different file names`);
    }
    objects.set(key, { key, body, contentType: 'text/x-python' });
  }
  spec.models.forEach((model, index) => {
    if (model.training.entry === undefined) return;
    const dir = path.dirname(path.resolve(options.seedRoot, model.training.entry));
    const files = fs
      .readdirSync(dir)
      // extract.py is the sql extract step's script (uploaded under extract/ with its driver), never a training module.
      .filter((f) => f.endsWith('.py') && f !== EXTRACT_SCRIPT)
      .sort()
      .map((name) => ({ name, content: readScript(path.join(dir, name)) }));
    const key = code.key(code.sourceDir(index, model.name));
    objects.set(key, { key, body: tarGz(files), contentType: 'application/gzip' });
  });
  // Data sources' code (a sql source: extract.py with its vendored driver, once, and each query).
  for (const [name, entry] of Object.entries(spec.data)) {
    try {
      for (const object of sourceCodeObjects(name, entry as Record<string, unknown>, options.seedRoot, code.prefix)) {
        objects.set(object.key, object);
      }
    } catch (err) {
      throw err instanceof WarehouseError ? new UsageError(err.message) : err;
    }
  }
  return [...objects.values()];
}
