/** The seed's pipeline files as the tests load them, and a run context for a branch of project `abalone`. */
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../../lib/seed-code';
import { sageMakerPipelineName } from '../../../contracts/naming';
import type { RunContext } from '../../../sagemaker-pipeline/src/definition';
import { PipelineConfig, loadPipelineFile, parsePipelineFile } from '../../../sagemaker-pipeline/src/pipeline-file';

export const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
export const BRANCH = 'experiment/deeper-trees';

/** The default pipeline file and the two examples, by their path in the seed. */
export const SEED_FILES = ['pipeline.yaml', 'examples/two-models.yaml', 'examples/xgboost-tuning.yaml'] as const;

export function seedConfig(file: (typeof SEED_FILES)[number] = 'pipeline.yaml'): PipelineConfig {
  return loadPipelineFile(path.join(SEED_SOURCE_DIR, file), SEED_SOURCE_DIR, file);
}

/** Parses a pipeline file's text as if it were the seed's pipeline.yaml (scripts from the seed). */
export function parseSeedText(text: string): PipelineConfig {
  return parsePipelineFile(text, 'pipeline.yaml', SEED_SOURCE_DIR);
}

export const CONTEXT: RunContext = {
  projectName: 'abalone',
  branch: BRANCH,
  commit: COMMIT,
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
  bucket: 'abalone-artifacts-123456789012',
  pipelineName: sageMakerPipelineName('abalone', BRANCH),
  modelPackageGroupName: 'model-abalone',
};
