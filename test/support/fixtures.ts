/**
 * AWS's documented sample events (shared/fixtures/aws-events, beside the checkout) and the published SageMaker
 * pipeline definition schema (shared/schemas). Tests parse and validate against these, never invented shapes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const SHARED_DIR = path.resolve(PROJECT_ROOT, '..', 'shared');
export const EVENTS_DIR = path.join(SHARED_DIR, 'fixtures', 'aws-events');
export const PIPELINE_SCHEMA_PATH = path.join(SHARED_DIR, 'schemas', 'sagemaker-pipeline-definition.schema.json');

/** A fresh, mutable copy of a documented sample event, e.g. `awsEvent('codecommit-referenceCreated.json')`. */
export function awsEvent<T = Record<string, unknown>>(file: string): T {
  const full = path.join(EVENTS_DIR, file);
  if (!fs.existsSync(full)) {
    throw new Error(`missing fixture ${full}: the checkout needs shared/ beside it`);
  }
  return JSON.parse(fs.readFileSync(full, 'utf8')) as T;
}
