/**
 * What SageMaker offers that pipeline.yaml may name: the XGBoost algorithm's hyperparameters and metrics, images
 * and instance types.
 */
import { ProcessingInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { SKLEARN_FRAMEWORK_VERSIONS, XGBOOST_FRAMEWORK_VERSIONS, isAcceleratedInstance } from '../images';
import { ImageSpec } from '../pipeline-schema';
import { closest } from '../script-interface';
import { FilePath, Problem } from './types';

/** Hyperparameters of SageMaker's built-in XGBoost algorithm (AWS's "XGBoost hyperparameters" page). */
export const XGBOOST_BUILTIN_HYPERPARAMETERS: Readonly<Record<string, 'int' | 'float' | 'str'>> = {
  num_round: 'int',
  num_class: 'int',
  alpha: 'float',
  base_score: 'float',
  booster: 'str',
  colsample_bylevel: 'float',
  colsample_bynode: 'float',
  colsample_bytree: 'float',
  csv_weights: 'int',
  deterministic_histogram: 'str',
  early_stopping_rounds: 'int',
  eta: 'float',
  eval_metric: 'str',
  gamma: 'float',
  grow_policy: 'str',
  interaction_constraints: 'str',
  lambda: 'float',
  lambda_bias: 'float',
  max_bin: 'int',
  max_delta_step: 'int',
  max_depth: 'int',
  max_leaves: 'int',
  min_child_weight: 'float',
  monotone_constraints: 'str',
  normalize_type: 'str',
  nthread: 'int',
  num_parallel_tree: 'int',
  objective: 'str',
  one_drop: 'int',
  process_type: 'str',
  rate_drop: 'float',
  refresh_leaf: 'int',
  sample_type: 'str',
  scale_pos_weight: 'float',
  seed: 'int',
  single_precision_histogram: 'str',
  sketch_eps: 'float',
  skip_drop: 'float',
  subsample: 'float',
  tree_method: 'str',
  tweedie_variance_power: 'float',
  updater: 'str',
  verbosity: 'int',
};

/** Metrics the built-in XGBoost algorithm emits for tuning, per channel (AWS's "Tune an XGBoost model" page). */
export const XGBOOST_BUILTIN_METRICS = [
  'accuracy',
  'auc',
  'aucpr',
  'error',
  'f1',
  'logloss',
  'mae',
  'map',
  'merror',
  'mlogloss',
  'mse',
  'ndcg',
  'rmse',
] as const;

/** Values a metric can take; a gate outside them can never pass. */
export const METRIC_RANGES: Readonly<Record<string, { min?: number; max?: number }>> = {
  mse: { min: 0 },
  rmse: { min: 0 },
  mae: { min: 0 },
  mape: { min: 0 },
  r2: { max: 1 },
  accuracy: { min: 0, max: 1 },
  precision: { min: 0, max: 1 },
  recall: { min: 0, max: 1 },
  f1: { min: 0, max: 1 },
  auc: { min: 0, max: 1 },
};

const TRAINING_INSTANCES = new Set<string>(Object.values(TrainingInstanceType));

const PROCESSING_INSTANCES = new Set<string>(Object.values(ProcessingInstanceType));

/** The image a step or model runs, or a problem with it. */
export function imageProblems(
  image: ImageSpec | undefined,
  at: FilePath,
  instance: string,
  instanceAt: FilePath,
): Problem[] {
  if (image === undefined) return [];
  const problems: Problem[] = [];
  if (image.ecr !== undefined) {
    if (image.framework !== undefined || image.version !== undefined) {
      problems.push({ path: at, message: 'an image is either {framework, version} or {ecr}, not both' });
    }
    return problems;
  }
  if (image.framework === undefined || image.version === undefined) {
    problems.push({ path: at, message: 'an image needs framework (sklearn or xgboost) and version, or ecr' });
    return problems;
  }
  problems.push(...frameworkProblems(image.framework, image.version, [...at, 'version']));
  if (image.framework === 'sklearn' && isAcceleratedInstance(instance)) {
    problems.push({
      path: instanceAt,
      message: `${instance} is an accelerated (GPU) instance, but SageMaker's scikit-learn images run on CPU only; use a CPU instance like ml.m5.large`,
    });
  }
  return problems;
}

export function frameworkProblems(framework: string, version: string, at: FilePath): Problem[] {
  const versions = framework === 'sklearn' ? SKLEARN_FRAMEWORK_VERSIONS : XGBOOST_FRAMEWORK_VERSIONS;
  return versions.includes(version)
    ? []
    : [
        {
          path: at,
          message: `${framework} version ${JSON.stringify(version)} is not known; use one of ${versions.join(', ')}`,
        },
      ];
}

export function instanceProblem(instance: string, kind: 'training' | 'processing', at: FilePath): Problem[] {
  const offered = kind === 'training' ? TRAINING_INSTANCES : PROCESSING_INSTANCES;
  if (offered.has(instance)) return [];
  const near = closest(instance, [...offered]);
  return [
    {
      path: at,
      message: `SageMaker does not offer ${instance} for ${kind} jobs${near ? ` (did you mean ${near}?)` : ''}; see the ${kind === 'training' ? 'TrainingInstanceType' : 'ProcessingInstanceType'} values of the SageMaker API`,
    },
  ];
}
