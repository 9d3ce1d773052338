import * as fs from 'node:fs';
import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { branchTagValue, sageMakerPipelineName } from '../../contracts/naming';
import { referenceProblems } from '../../sagemaker-pipeline/src/check';
import {
  ConditionStep,
  FailStep,
  PipelineDefinition,
  ProcessingStep,
  STEP,
  Step,
  TrainingStep,
  TuningStep,
  buildDefinition,
  executionArnFits,
} from '../../sagemaker-pipeline/src/definition';
import { UnresolvedReferenceError } from '../../sagemaker-pipeline/src/expressions';
import {
  SKLEARN_REGISTRIES,
  UnknownRegionError,
  XGBOOST_FRAMEWORK_VERSIONS,
  sklearnImageUri,
  xgboostImageUri,
} from '../../sagemaker-pipeline/src/images';
import { modelPackageRequest, registerModelSteps } from './support/model-package';
import { SCHEMA_GAPS, definitionValidator } from './support/schema';
import { shapeProblems, stepRequestProblems } from './support/shapes';
import { BRANCH, COMMIT, CONTEXT, SEED_FILES, parseSeedText, seedConfig } from './support/seed';

/** A deep copy as plain JSON, as the service receives it. */
const asJson = <T>(value: T): any => JSON.parse(JSON.stringify(value)); // eslint-disable-line @typescript-eslint/no-explicit-any

function allSteps(steps: readonly Step[]): Step[] {
  return steps.flatMap((s) =>
    s.Type === 'Condition' ? [s, ...allSteps([...s.Arguments.IfSteps, ...s.Arguments.ElseSteps])] : [s],
  );
}

function stepNamed<T extends Step>(definition: PipelineDefinition, name: string): T {
  const found = allSteps(definition.Steps).find((s) => s.Name === name);
  if (found === undefined) throw new Error(`no step ${name}`);
  return found as T;
}

const CONFIG = seedConfig();
const definition = buildDefinition(CONFIG, CONTEXT);
const twoModels = buildDefinition(seedConfig('examples/two-models.yaml'), CONTEXT);
const tuned = buildDefinition(seedConfig('examples/xgboost-tuning.yaml'), CONTEXT);

describe('pipeline definition', () => {
  describe('schema and SDK shapes, for the default pipeline.yaml and both examples', () => {
    it.each(SEED_FILES)('%s validates against the published schema with its documented gaps admitted', (file) => {
      const result = definitionValidator()(asJson(buildDefinition(seedConfig(file), CONTEXT)));
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it.each(Object.keys(SCHEMA_GAPS))('needs the documented gap %s (fails without it)', (gap) => {
      const others = Object.keys(SCHEMA_GAPS).filter((g) => g !== gap);
      // The WarmStartConfig defect shows only in a warm-started definition.
      const subject =
        gap === 'WarmStartConfig TargetObjectiveMetricValue'
          ? buildDefinition(seedConfig('examples/xgboost-tuning.yaml'), {
              ...CONTEXT,
              warmStart: { abalone: { parents: ['tune-main-1'], type: 'TransferLearning' } },
            })
          : definition;
      expect(definitionValidator(others)(asJson(subject)).valid).toBe(false);
      expect(definitionValidator()(asJson(subject)).valid).toBe(true);
    });

    it('still rejects an unknown top-level field, a misspelt step field and a misspelt tuning field', () => {
      const validate = definitionValidator();
      expect(validate({ ...asJson(definition), PipelineExperimentConfg: {} }).valid).toBe(false);
      const misspelt = asJson(definition);
      misspelt.Steps[0].Arguments.ProcessingInput = misspelt.Steps[0].Arguments.ProcessingInputs;
      expect(validate(misspelt).valid).toBe(false);
      const tuning = asJson(tuned);
      tuning.Steps[1].Arguments.HyperParameterTuningJobConfig.Stratgy = 'Bayesian';
      expect(validate(tuning).valid).toBe(false);
    });

    it.each(SEED_FILES)("%s: every step's Arguments is its SageMaker request (botocore's shapes)", (file) => {
      const built = buildDefinition(seedConfig(file), CONTEXT);
      const problems = stepRequestProblems(allSteps(built.Steps));
      expect(Object.keys(problems).length).toBeGreaterThanOrEqual(4);
      for (const [step, found] of Object.entries(problems)) expect({ step, found }).toEqual({ step, found: [] });
    });

    it('checks the Tuning step as CreateHyperParameterTuningJob: a missing objective type and an unknown member fail', () => {
      const args = asJson(stepNamed<TuningStep>(tuned, STEP.tune).Arguments);
      delete args.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type;
      args.TrainingJobDefinition.HyperParameters = {};
      const problems = shapeProblems(
        { ...args, HyperParameterTuningJobName: 'x' },
        'CreateHyperParameterTuningJobRequest',
      );
      expect(problems).toEqual(
        expect.arrayContaining([
          '$.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective.Type: required by HyperParameterTuningJobObjective, missing',
          '$.TrainingJobDefinition.HyperParameters: not a member of HyperParameterTrainingJobDefinition',
        ]),
      );
    });

    it('reports a missing required field and an unknown member of a training step', () => {
      const training = asJson(stepNamed(definition, STEP.train).Arguments);
      delete training.RoleArn;
      training.OutputDataConfg = {};
      expect(shapeProblems({ ...training, TrainingJobName: 'x' }, 'CreateTrainingJobRequest')).toEqual(
        expect.arrayContaining([
          '$.RoleArn: required by CreateTrainingJobRequest, missing',
          '$.OutputDataConfg: not a member of CreateTrainingJobRequest',
        ]),
      );
    });
  });

  describe('references', () => {
    it.each(SEED_FILES)('%s references only execution variables and properties of earlier steps', (file) => {
      expect(referenceProblems(buildDefinition(seedConfig(file), CONTEXT))).toEqual([]);
    });

    it('reports a processing output that the step does not have', () => {
      const bad = asJson(definition);
      bad.Steps[1].Arguments.InputDataConfig[1].DataSource.S3DataSource.S3Uri = {
        Get: `Steps.${STEP.preprocess}.ProcessingOutputConfig.Outputs['valid'].S3Output.S3Uri`,
      };
      expect(referenceProblems(bad)).toEqual([
        `step ${STEP.train}: processing step ${STEP.preprocess} has no output "valid" (outputs: train, validation, test)`,
      ]);
    });

    it('reports a tuning property that does not exist, and a reference to a later step', () => {
      const bad = asJson(tuned);
      const evaluate = bad.Steps[2];
      evaluate.Arguments.ProcessingInputs[0].S3Input.S3Uri['Std:Join'].Values[5] = {
        Get: `Steps.${STEP.tune}.BestTrainingJob.ModelArtifacts`,
      };
      bad.Steps[0].Arguments.AppSpecification.ContainerArguments.push({
        Get: `Steps.${STEP.tune}.HyperParameterTuningJobName`,
      });
      expect(referenceProblems(bad)).toEqual([
        `step ${STEP.preprocess}: refers to step ${STEP.tune}, which does not run before it`,
        `step ${STEP.evaluate}: tuning step ${STEP.tune} has no property BestTrainingJob.ModelArtifacts`,
      ]);
    });
  });

  describe('one model: exactly the steps of before', () => {
    it('runs PreprocessData → TrainModel → EvaluateModel → CheckMetric → RegisterModel | GateFailed', () => {
      expect(definition.Steps.map((s) => [s.Name, s.Type])).toEqual([
        [STEP.preprocess, 'Processing'],
        [STEP.train, 'Training'],
        [STEP.evaluate, 'Processing'],
        [STEP.gate, 'Condition'],
      ]);
      expect(allSteps(definition.Steps).map((s) => s.Name)).toEqual([
        'PreprocessData',
        'TrainModel',
        'EvaluateModel',
        'CheckMetric',
        'RegisterModel',
        'GateFailed',
      ]);
    });

    it('passes each input and output as --<name> <container path>, and the arguments, to the script in the sklearn image', () => {
      const image = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
      const preprocess = stepNamed<ProcessingStep>(definition, STEP.preprocess);
      expect(preprocess.Arguments.AppSpecification).toEqual({
        ImageUri: image,
        ContainerEntrypoint: ['python3', '/opt/ml/processing/input/code/preprocess.py'],
        ContainerArguments: [
          '--raw',
          '/opt/ml/processing/input/raw',
          '--train',
          '/opt/ml/processing/output/train',
          '--validation',
          '/opt/ml/processing/output/validation',
          '--test',
          '/opt/ml/processing/output/test',
          '--validation-fraction',
          '0.15',
          '--test-fraction',
          '0.15',
        ],
      });
      expect(preprocess.Arguments.ProcessingInputs).toContainEqual(
        expect.objectContaining({
          InputName: 'raw',
          S3Input: expect.objectContaining({
            S3Uri: 's3://sagemaker-servicecatalog-seedcode-eu-west-1/dataset/abalone-dataset.csv',
            LocalPath: '/opt/ml/processing/input/raw',
          }),
        }),
      );
      const train = stepNamed<TrainingStep>(definition, STEP.train);
      expect(train.Arguments.AlgorithmSpecification?.TrainingImage).toBe(image);
      expect(train.Arguments.HyperParameters).toEqual({
        n_estimators: '200',
        max_depth: '3',
        learning_rate: '0.1',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/code/${COMMIT}/sourcedir.tar.gz"`,
        sagemaker_region: '"eu-west-1"',
        sagemaker_container_log_level: '20',
      });
      // The metrics train.py declares (METRICS), per channel.
      expect(train.Arguments.AlgorithmSpecification?.MetricDefinitions?.map((m) => m.Name)).toEqual(
        ['train', 'validation'].flatMap((c) => ['mse', 'rmse', 'mae', 'r2'].map((m) => `${c}:${m}`)),
      );
    });

    it('has no pipeline parameter: commit, branch, data and approval status are literals of the definition', () => {
      expect(definition.Parameters).toEqual([]);
      expect(definition.PipelineExperimentConfig).toEqual({ ExperimentName: 'model-abalone', TrialName: COMMIT });
      expect(JSON.stringify(definition)).not.toContain('"Parameters.');
    });

    it('rejects a commit id that is not 40 hex digits', () => {
      expect(() => buildDefinition(CONFIG, { ...CONTEXT, commit: 'abc123' })).toThrow(/not a full 40-hex/);
    });
  });

  describe('quality gate', () => {
    const gate = stepNamed<ConditionStep>(definition, STEP.gate);

    it('compares the metric at the path evaluate.py declares (METRIC_PATHS) with the threshold', () => {
      expect(gate.Arguments.Conditions).toEqual([
        {
          Type: 'LessThanOrEqualTo',
          LeftValue: {
            'Std:JsonGet': {
              PropertyFile: { Get: `Steps.${STEP.evaluate}.PropertyFiles.EvaluationReport` },
              Path: 'regression_metrics.mse.value',
            },
          },
          RightValue: 6,
        },
      ]);
      expect(stepNamed<ProcessingStep>(definition, STEP.evaluate).PropertyFiles).toEqual([
        { PropertyFileName: 'EvaluationReport', OutputName: 'evaluation', FilePath: 'evaluation.json' },
      ]);
    });

    it('registers when the gate passes and fails with the metric and threshold otherwise', () => {
      expect(gate.Arguments.IfSteps.map((s) => s.Type)).toEqual(['RegisterModel']);
      const fail = gate.Arguments.ElseSteps[0] as FailStep;
      expect(fail.Type).toBe('Fail');
      expect(JSON.stringify(fail.Arguments.ErrorMessage)).toContain('mse <= 6');
    });

    it('uses >= for a gate with min', () => {
      const text = fs.readFileSync(path.join(SEED_SOURCE_DIR, 'pipeline.yaml'), 'utf8');
      const r2 = parseSeedText(text.replace('metric: mse\n      max: 6.0', 'metric: r2\n      min: 0.5'));
      const condition = stepNamed<ConditionStep>(buildDefinition(r2, CONTEXT), STEP.gate).Arguments.Conditions[0];
      expect(condition).toMatchObject({ Type: 'GreaterThanOrEqualTo', RightValue: 0.5 });
      expect(condition?.LeftValue['Std:JsonGet'].Path).toBe('regression_metrics.r2.value');
    });
  });

  describe('several models', () => {
    it('gives each model its own training, evaluation, gate and registration, named after it', () => {
      expect(allSteps(twoModels.Steps).map((s) => [s.Name, s.Type])).toEqual([
        ['PreprocessData', 'Processing'],
        ['TrainModel-abalone', 'Training'],
        ['EvaluateModel-abalone', 'Processing'],
        ['CheckMetric-abalone', 'Condition'],
        ['RegisterModel-abalone', 'RegisterModel'],
        ['TrainModel-forest', 'Training'],
        ['EvaluateModel-forest', 'Processing'],
        ['CheckMetric-forest', 'Condition'],
        ['RegisterModel-forest', 'RegisterModel'],
      ]);
      const forest = stepNamed<TrainingStep>(twoModels, 'TrainModel-forest');
      expect(forest.Arguments.HyperParameters).toMatchObject({
        min_samples_leaf: '2',
        sagemaker_program: '"train_forest.py"',
        sagemaker_submit_directory: `"s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/code/${COMMIT}/sourcedir-forest.tar.gz"`,
      });
    });

    it('registers the first model in model-<project> and the others in model-<project>-<name>', () => {
      expect(registerModelSteps(twoModels).map((s) => s.Arguments.ModelPackageGroupName)).toEqual([
        'model-abalone',
        'model-abalone-forest',
      ]);
    });

    it('a failing gate registers nothing for that model and stops no other: no Fail step', () => {
      const gates = twoModels.Steps.filter((s): s is ConditionStep => s.Type === 'Condition');
      expect(gates.map((g) => [g.Name, g.Arguments.IfSteps.map((s) => s.Type), g.Arguments.ElseSteps])).toEqual([
        ['CheckMetric-abalone', ['RegisterModel'], []],
        ['CheckMetric-forest', ['RegisterModel'], []],
      ]);
      expect(JSON.stringify(twoModels)).not.toContain('"Fail"');
    });
  });

  describe('XGBoost built-in with tuning', () => {
    const tuning = stepNamed<TuningStep>(tuned, STEP.tune);

    it('compiles the tuning block to CreateHyperParameterTuningJob', () => {
      expect(tuning.Arguments.HyperParameterTuningJobConfig).toEqual({
        Strategy: 'Bayesian',
        HyperParameterTuningJobObjective: { Type: 'Minimize', MetricName: 'validation:rmse' },
        ResourceLimits: { MaxNumberOfTrainingJobs: 12, MaxParallelTrainingJobs: 3 },
        ParameterRanges: {
          IntegerParameterRanges: [{ Name: 'max_depth', MinValue: '2', MaxValue: '8', ScalingType: 'Auto' }],
          ContinuousParameterRanges: [
            { Name: 'eta', MinValue: '0.02', MaxValue: '0.4', ScalingType: 'Logarithmic' },
            { Name: 'subsample', MinValue: '0.5', MaxValue: '1', ScalingType: 'Auto' },
          ],
        },
        TrainingJobEarlyStoppingType: 'Auto',
      });
      expect(tuning.Arguments.TrainingJobDefinition?.StaticHyperParameters).toEqual({
        objective: 'reg:squarederror',
        num_round: '200',
        eval_metric: 'rmse',
      });
      expect(tuning.Arguments.TrainingJobDefinition?.AlgorithmSpecification?.TrainingImage).toBe(
        '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.3-1',
      );
      expect(tuning.Arguments).not.toHaveProperty('WarmStartConfig');
    });

    it("evaluates the best training job's artifact, as the SageMaker Python SDK's get_top_model_s3_uri builds it", () => {
      const evaluate = stepNamed<ProcessingStep>(tuned, STEP.evaluate);
      expect(evaluate.Arguments.ProcessingInputs?.[0]?.S3Input?.S3Uri).toEqual({
        'Std:Join': {
          On: '/',
          Values: [
            's3:/',
            CONTEXT.bucket,
            CONTEXT.pipelineName,
            { Get: 'Execution.PipelineExecutionId' },
            STEP.tune,
            { Get: `Steps.${STEP.tune}.TrainingJobSummaries[0].TrainingJobName` },
            'output/model.tar.gz',
          ],
        },
      });
      expect(tuning.Arguments.TrainingJobDefinition?.OutputDataConfig?.S3OutputPath).toEqual({
        'Std:Join': {
          On: '/',
          Values: ['s3:/', CONTEXT.bucket, CONTEXT.pipelineName, { Get: 'Execution.PipelineExecutionId' }, STEP.tune],
        },
      });
      // The evaluation loads the booster in the XGBoost image of the training.
      expect(evaluate.Arguments.AppSpecification?.ImageUri).toBe(
        '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:1.3-1',
      );
    });

    it('resolves XGBoost images exactly as the pinned SDK table says, and refuses a region it lacks', () => {
      const table = JSON.parse(
        fs.readFileSync(path.join(SEED_SOURCE_DIR, 'src', 'image-uri-config', 'xgboost.json'), 'utf8'),
      );
      expect(XGBOOST_FRAMEWORK_VERSIONS).toEqual(['0.90-1', '0.90-2', '1.0-1', '1.2-1', '1.2-2', '1.3-1']);
      for (const version of XGBOOST_FRAMEWORK_VERSIONS) {
        for (const [region, account] of Object.entries(table.versions[version].registries as Record<string, string>)) {
          const tag = table.versions[version].processors ? `${version}-cpu-py3` : version;
          expect(xgboostImageUri(region, version)).toMatch(
            new RegExp(`^${account}\\.dkr\\.ecr\\.${region}\\.[a-z0-9.]+/sagemaker-xgboost:${tag}$`),
          );
        }
      }
      expect(xgboostImageUri('cn-north-1', '1.3-1')).toBe(
        '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-xgboost:1.3-1',
      );
      expect(() => xgboostImageUri('ap-south-2', '1.3-1')).toThrow(UnknownRegionError);
    });
  });

  describe('metadata contract (contract 2) and retraining inputs (contract 4)', () => {
    const executionArn = `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${CONTEXT.pipelineName}/execution/abc123def456`;
    const values = {
      execution: { PipelineExecutionArn: executionArn, PipelineExecutionId: 'abc123def456' },
      properties: {
        [`Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`]: 's3://bucket/model/model.tar.gz',
        [`Steps.${STEP.evaluate}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`]:
          's3://bucket/evaluation',
        [`Steps.${STEP.tune}.TrainingJobSummaries[0].TrainingJobName`]: 'tune-abc-001-1234',
        [`Steps.${STEP.tune}.HyperParameterTuningJobName`]: 'tune-abc',
      },
    };

    it('registers PendingManualApproval with the commit, branch, execution and model name as literals', () => {
      const request = modelPackageRequest(definition, values);
      expect(request.ModelApprovalStatus).toBe('PendingManualApproval');
      expect(request.MetadataProperties).toEqual({ CommitId: COMMIT });
      expect(request.CustomerMetadataProperties).toEqual({
        commit_id: COMMIT,
        branch: BRANCH,
        pipeline_execution_id: 'abc123def456',
        pipeline_execution_arn: executionArn,
        model_name: 'abalone',
        trigger: 'push',
        test_mode: 'false',
      });
      expect(request.ModelPackageDescription).toBe(`commit ${COMMIT} on branch ${BRANCH}`);
      expect(request.ModelPackageGroupName).toBe('model-abalone');
      expect(request.ModelMetrics?.ModelQuality?.Statistics?.S3Uri).toBe('s3://bucket/evaluation/evaluation.json');
      expect(shapeProblems(request, 'CreateModelPackageInput', false)).toEqual([]);
    });

    it('cannot be talked into another status, commit or branch by execution parameters (there are none to set)', () => {
      const request = modelPackageRequest(definition, {
        ...values,
        parameters: { ModelApprovalStatus: 'Approved', CommitId: 'a'.repeat(40), BranchName: 'main' },
      });
      expect(request.ModelApprovalStatus).toBe('PendingManualApproval');
      expect(request.MetadataProperties?.CommitId).toBe(COMMIT);
      expect(request.CustomerMetadataProperties?.branch).toBe(BRANCH);
    });

    it('records the branch as branchTagValue for a branch SageMaker cannot store', () => {
      const branch = 'experiment/issue#12';
      const request = modelPackageRequest(buildDefinition(CONFIG, { ...CONTEXT, branch }), values);
      expect(request.CustomerMetadataProperties?.branch).toBe(branchTagValue(branch));
      expect(request.ModelPackageDescription).toBe(`commit ${COMMIT} on branch ${branchTagValue(branch)}`);
    });

    it('omits pipeline_execution_arn when a long pipeline name could make it pass 256 characters; registration never fails', () => {
      const longBranch = `experiment/${'x'.repeat(240)}`;
      const long = { ...CONTEXT, branch: longBranch, pipelineName: sageMakerPipelineName('abalone', longBranch) };
      expect(executionArnFits(long)).toBe(false);
      const request = modelPackageRequest(buildDefinition(CONFIG, long), {
        ...values,
        execution: {
          ...values.execution,
          PipelineExecutionArn: `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${long.pipelineName}/execution/abc123def456`,
        },
      });
      expect(request.CustomerMetadataProperties).not.toHaveProperty('pipeline_execution_arn');
      expect(request.CustomerMetadataProperties?.pipeline_execution_id).toBe('abc123def456');
      expect(shapeProblems(request, 'CreateModelPackageInput', false)).toEqual([]);
      // The longest pipeline name that keeps it still records it, within the limit.
      const fits = Array.from({ length: 256 }, (_, n) => ({ ...CONTEXT, pipelineName: 'p'.repeat(n + 1) })).filter(
        executionArnFits,
      );
      const longest = fits[fits.length - 1]!;
      const arn = `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${longest.pipelineName}/execution/${'e'.repeat(32)}`;
      expect(arn.length).toBe(256);
    });

    it('registers a tuned model with its tuning job, and each of several models with its own name', () => {
      const request = modelPackageRequest(tuned, values);
      expect(request.CustomerMetadataProperties).toMatchObject({ model_name: 'abalone', tuning_job: 'tune-abc' });
      expect(request.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toBe(
        `s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/abc123def456/${STEP.tune}/tune-abc-001-1234/output/model.tar.gz`,
      );
      const forest = modelPackageRequest(
        twoModels,
        {
          ...values,
          properties: {
            'Steps.TrainModel-forest.ModelArtifacts.S3ModelArtifacts': 's3://b/m.tar.gz',
            "Steps.EvaluateModel-forest.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri": 's3://b/e',
          },
        },
        'forest',
      );
      expect(forest.ModelPackageGroupName).toBe('model-abalone-forest');
      expect(forest.CustomerMetadataProperties).toMatchObject({ model_name: 'forest', commit_id: COMMIT });
      expect(() => modelPackageRequest(twoModels, values)).toThrow('2 RegisterModel steps');
    });

    it('renders a scheduled test-mode run with a window and warm start parents', () => {
      const scheduled = buildDefinition(seedConfig('examples/xgboost-tuning.yaml'), {
        ...CONTEXT,
        trigger: 'schedule',
        testMode: true,
        window: { start: '2026-11-01', end: '2026-11-30' },
        warmStart: { abalone: { parents: ['tune-main-1', 'tune-main-2'], type: 'IdenticalDataAndAlgorithm' } },
      });
      const step = stepNamed<TuningStep>(scheduled, STEP.tune);
      expect(step.Arguments.HyperParameterTuningJobConfig?.ResourceLimits).toEqual({
        MaxNumberOfTrainingJobs: 1,
        MaxParallelTrainingJobs: 1,
      });
      expect(step.Arguments.WarmStartConfig).toEqual({
        ParentHyperParameterTuningJobs: [
          { HyperParameterTuningJobName: 'tune-main-1' },
          { HyperParameterTuningJobName: 'tune-main-2' },
        ],
        WarmStartType: 'IdenticalDataAndAlgorithm',
      });
      const args = { ...asJson(step.Arguments), HyperParameterTuningJobName: 'x' };
      expect(shapeProblems(args, 'CreateHyperParameterTuningJobRequest')).toEqual([]);
      // The published schema requires TargetObjectiveMetricValue inside WarmStartConfig, a member the API does not
      // have (botocore's HyperParameterTuningJobWarmStartConfig): a schema defect its README does not list, admitted
      // by name in support/schema.ts (the gap test above shows it is needed).
      expect(definitionValidator()(asJson(scheduled)).errors).toEqual([]);
      const request = modelPackageRequest(scheduled, values);
      expect(request.CustomerMetadataProperties).toMatchObject({
        trigger: 'schedule',
        test_mode: 'true',
        window_start: '2026-11-01',
        window_end: '2026-11-30',
        warm_start: 'tune-main-1 tune-main-2',
      });
    });

    it('starts a model with a cold reason without any WarmStartConfig, and records the reason', () => {
      const cold = buildDefinition(seedConfig('examples/xgboost-tuning.yaml'), {
        ...CONTEXT,
        trigger: 'schedule',
        warmStart: { abalone: { cold: 'no approved version (first run)' } },
      });
      expect(stepNamed<TuningStep>(cold, STEP.tune).Arguments).not.toHaveProperty('WarmStartConfig');
      expect(definitionValidator()(asJson(cold)).valid).toBe(true);
      const request = modelPackageRequest(cold, values);
      expect(request.CustomerMetadataProperties?.warm_start).toBe('cold: no approved version -first run-');
      expect(shapeProblems(request, 'CreateModelPackageInput', false)).toEqual([]);
    });

    it('rejects an execution that lacks a value the request needs, naming it', () => {
      expect(() => modelPackageRequest(definition, { ...values, execution: {} })).toThrow(UnresolvedReferenceError);
      expect(() => modelPackageRequest(definition, { ...values, execution: {} })).toThrow(
        '"Execution.PipelineExecutionId"',
      );
    });
  });

  describe('images', () => {
    it('resolves a scikit-learn image in every region of the table, in the partition of the region', () => {
      for (const region of Object.keys(SKLEARN_REGISTRIES)) {
        expect(sklearnImageUri(region, '1.2-1')).toMatch(
          new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.[a-z0-9.]+/sagemaker-scikit-learn:1\\.2-1-cpu-py3$`),
        );
      }
    });

    it('rejects a region that is not in the table, naming it', () => {
      expect(() => buildDefinition(CONFIG, { ...CONTEXT, region: 'xx-nowhere-1' })).toThrow('"xx-nowhere-1"');
    });
  });
});
