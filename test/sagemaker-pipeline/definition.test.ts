import * as path from 'node:path';
import { SEED_SOURCE_DIR } from '../../lib/seed-code';
import { branchTagValue, sageMakerPipelineName } from '../../lambda/shared/naming';
import { referenceProblems } from '../../sagemaker-pipeline/src/check';
import { ConfigError, PipelineConfig, loadConfig, parseConfig } from '../../sagemaker-pipeline/src/config';
import {
  ConditionStep,
  FailStep,
  PipelineDefinition,
  ProcessingStep,
  RunContext,
  STEP,
  Step,
  buildDefinition,
} from '../../sagemaker-pipeline/src/definition';
import { UnresolvedReferenceError } from '../../sagemaker-pipeline/src/expressions';
import { SKLEARN_REGISTRIES, UnknownRegionError, sklearnImageUri } from '../../sagemaker-pipeline/src/images';
import { modelPackageRequest } from '../../sagemaker-pipeline/src/model-package';
import { SCHEMA_GAPS, definitionValidator } from './support/schema';
import { STEP_REQUESTS, shapeProblems } from './support/shapes';

const COMMIT = '3f786850e387550fdab836ed7e6dc881de23001b';
const BRANCH = 'experiment/deeper-trees';
const CONFIG = loadConfig(path.join(SEED_SOURCE_DIR, 'pipeline.config.json'));
const CONTEXT: RunContext = {
  projectName: 'abalone',
  branch: BRANCH,
  commit: COMMIT,
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::123456789012:role/sagemaker-pipeline',
  bucket: 'abalone-artifacts-123456789012',
  pipelineName: sageMakerPipelineName('abalone', BRANCH),
  modelPackageGroupName: 'model-abalone',
};

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

describe('pipeline definition', () => {
  const definition = buildDefinition(CONFIG, CONTEXT);

  describe('schema', () => {
    it('validates against the published schema with its documented gaps admitted', () => {
      const result = definitionValidator()(asJson(definition));
      expect(result.errors).toEqual([]);
      expect(result.valid).toBe(true);
    });

    it.each(Object.keys(SCHEMA_GAPS))('needs the documented gap %s (fails without it)', (gap) => {
      const others = Object.keys(SCHEMA_GAPS).filter((g) => g !== gap);
      expect(definitionValidator(others)(asJson(definition)).valid).toBe(false);
    });

    it('still rejects an unknown top-level field and a misspelt step field', () => {
      const validate = definitionValidator();
      expect(validate({ ...asJson(definition), PipelineExperimentConfg: {} }).valid).toBe(false);
      const misspelt = asJson(definition);
      misspelt.Steps[0].Arguments.ProcessingInput = misspelt.Steps[0].Arguments.ProcessingInputs;
      expect(validate(misspelt).valid).toBe(false);
    });

    it('rejects a RegisterModel argument that CreateModelPackage does not have', () => {
      const bad = asJson(definition);
      bad.Steps[3].Arguments.IfSteps[0].Arguments.ModelPackageGroup = 'x';
      expect(definitionValidator()(bad).valid).toBe(false);
    });
  });

  describe('request shapes', () => {
    it("checks every step's Arguments against its SageMaker request (required fields, members, enums)", () => {
      const steps = allSteps(definition.Steps).filter((s) => STEP_REQUESTS[s.Type] !== undefined);
      expect(steps.map((s) => s.Type).sort()).toEqual(['Processing', 'Processing', 'RegisterModel', 'Training']);
      for (const step of steps) {
        const request = STEP_REQUESTS[step.Type]!;
        const args = { ...asJson(step.Arguments), ...(request.name ? { [request.name]: 'job-name' } : {}) };
        expect({ step: step.Name, problems: shapeProblems(args, request.shape) }).toEqual({
          step: step.Name,
          problems: [],
        });
      }
    });

    it('reports a missing required field and an unknown member', () => {
      const training = asJson(stepNamed(definition, STEP.train).Arguments);
      delete training.RoleArn;
      training.OutputDataConfg = {};
      const problems = shapeProblems({ ...training, TrainingJobName: 'x' }, 'CreateTrainingJobRequest');
      expect(problems).toEqual(
        expect.arrayContaining([
          '$.RoleArn: required by CreateTrainingJobRequest, missing',
          '$.OutputDataConfg: not a member of CreateTrainingJobRequest',
        ]),
      );
    });
  });

  describe('references', () => {
    it('references only declared parameters, execution variables and properties of earlier steps', () => {
      expect(referenceProblems(definition)).toEqual([]);
    });

    it('reports a parameter that is not declared', () => {
      const bad = asJson(definition);
      bad.Steps[0].Arguments.ProcessingInputs[0].S3Input.S3Uri = { Get: 'Parameters.InputData' };
      expect(referenceProblems(bad)).toEqual([`step ${STEP.preprocess}: parameter InputData is not declared`]);
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

    it('reports a reference to a step that runs later, and an unknown execution variable', () => {
      const bad = asJson(definition);
      bad.Steps[0].Arguments.AppSpecification.ContainerArguments.push({
        Get: `Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`,
      });
      bad.Steps[0].Arguments.AppSpecification.ContainerArguments.push({ Get: 'Execution.PipelineExecutionName' });
      expect(referenceProblems(bad)).toEqual([
        `step ${STEP.preprocess}: refers to step ${STEP.train}, which does not run before it`,
        `step ${STEP.preprocess}: Execution.PipelineExecutionName is not an execution variable`,
      ]);
    });

    it('reports a property file that does not exist', () => {
      const bad = asJson(definition);
      bad.Steps[3].Arguments.Conditions[0].LeftValue['Std:JsonGet'].PropertyFile.Get =
        `Steps.${STEP.evaluate}.PropertyFiles.Report`;
      expect(referenceProblems(bad)).toEqual([
        `step ${STEP.gate}: processing step ${STEP.evaluate} has no property file "Report"`,
      ]);
    });
  });

  describe('steps, parameters and experiment', () => {
    it('runs preprocess → train → evaluate → gate, with the scripts in the sklearn image of the region', () => {
      expect(definition.Steps.map((s) => [s.Name, s.Type])).toEqual([
        [STEP.preprocess, 'Processing'],
        [STEP.train, 'Training'],
        [STEP.evaluate, 'Processing'],
        [STEP.gate, 'Condition'],
      ]);
      const image = '141502667606.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-scikit-learn:1.2-1-cpu-py3';
      const preprocess = stepNamed<ProcessingStep>(definition, STEP.preprocess);
      expect(preprocess.Arguments.AppSpecification?.ImageUri).toBe(image);
      expect(preprocess.Arguments.AppSpecification?.ContainerEntrypoint).toEqual([
        'python3',
        '/opt/ml/processing/input/code/preprocess.py',
      ]);
      expect(preprocess.Arguments.ProcessingInputs).toContainEqual(
        expect.objectContaining({
          InputName: 'code',
          S3Input: expect.objectContaining({
            S3Uri: `s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/code/${COMMIT}/preprocess.py`,
          }),
        }),
      );
      const train = stepNamed(definition, STEP.train);
      expect(train.Type === 'Training' && train.Arguments.AlgorithmSpecification?.TrainingImage).toBe(image);
      expect(train.Type === 'Training' && train.Arguments.HyperParameters).toEqual({
        n_estimators: '200',
        max_depth: '3',
        learning_rate: '0.1',
        sagemaker_program: '"train.py"',
        sagemaker_submit_directory: `"s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/code/${COMMIT}/sourcedir.tar.gz"`,
        sagemaker_region: '"eu-west-1"',
        sagemaker_container_log_level: '20',
      });
    });

    it('declares the per-run parameters with defaults from the configuration and the run', () => {
      expect(Object.fromEntries(definition.Parameters.map((p) => [p.Name, p.DefaultValue]))).toEqual({
        InputDataUrl: 's3://sagemaker-servicecatalog-seedcode-eu-west-1/dataset/abalone-dataset.csv',
        ModelApprovalStatus: 'PendingManualApproval',
        CommitId: COMMIT,
        BranchName: BRANCH,
        ProcessingInstanceType: 'ml.m5.large',
        TrainingInstanceType: 'ml.m5.large',
      });
    });

    it('defaults BranchName to the branch as the model package can record it', () => {
      const branchDefault = (branch: string) =>
        buildDefinition(CONFIG, { ...CONTEXT, branch }).Parameters.find((p) => p.Name === 'BranchName')?.DefaultValue;
      expect(branchDefault(BRANCH)).toBe(BRANCH);
      expect(branchDefault('experiment/issue#12')).toBe(branchTagValue('experiment/issue#12'));
      expect(branchDefault('experiment/issue#12')).toMatch(/^experiment\/issue-12---[0-9a-f]{16}$/);
    });

    it('records runs in the experiment model-<project>, one trial per commit', () => {
      expect(definition.PipelineExperimentConfig).toEqual({
        ExperimentName: 'model-abalone',
        TrialName: { Get: 'Parameters.CommitId' },
      });
    });

    it('rejects a commit id that is not 40 hex digits', () => {
      expect(() => buildDefinition(CONFIG, { ...CONTEXT, commit: 'abc123' })).toThrow(/not a full 40-hex/);
    });
  });

  describe('quality gate', () => {
    const gate = stepNamed<ConditionStep>(definition, STEP.gate);

    it('compares the configured metric from the evaluation report with the threshold', () => {
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
      expect(gate.Arguments.ElseSteps.map((s) => s.Type)).toEqual(['Fail']);
      const fail = gate.Arguments.ElseSteps[0] as FailStep;
      const message = JSON.stringify(fail.Arguments.ErrorMessage);
      expect(message).toContain('mse <= 6');
    });

    it('uses >= for r2, where higher is better', () => {
      const r2: PipelineConfig = { ...CONFIG, gate: { metric: 'r2', threshold: 0.5 } };
      const condition = stepNamed<ConditionStep>(buildDefinition(r2, CONTEXT), STEP.gate).Arguments.Conditions[0];
      expect(condition).toMatchObject({ Type: 'GreaterThanOrEqualTo', RightValue: 0.5 });
      expect(condition?.LeftValue['Std:JsonGet'].Path).toBe('regression_metrics.r2.value');
    });
  });

  describe('metadata contract', () => {
    const executionArn = `arn:aws:sagemaker:eu-west-1:123456789012:pipeline/${CONTEXT.pipelineName}/execution/abc123def456`;
    const evaluationUri = `s3://${CONTEXT.bucket}/${CONTEXT.pipelineName}/abc123def456/evaluation`;
    const values = {
      execution: { PipelineExecutionArn: executionArn, PipelineExecutionId: 'abc123def456' },
      properties: {
        [`Steps.${STEP.train}.ModelArtifacts.S3ModelArtifacts`]: 's3://bucket/model/model.tar.gz',
        [`Steps.${STEP.evaluate}.ProcessingOutputConfig.Outputs['evaluation'].S3Output.S3Uri`]: evaluationUri,
      },
    };

    it('yields the CreateModelPackage request with the commit, branch and execution ARN', () => {
      const request = modelPackageRequest(definition, values);
      expect(request.MetadataProperties).toEqual({ CommitId: COMMIT });
      expect(request.CustomerMetadataProperties).toEqual({
        commit_id: COMMIT,
        branch: BRANCH,
        pipeline_execution_arn: executionArn,
      });
      expect(request.ModelPackageDescription).toMatch(new RegExp(`^commit ${COMMIT}`));
      expect(request.ModelApprovalStatus).toBe('PendingManualApproval');
      expect(request.ModelPackageGroupName).toBe('model-abalone');
      expect(request.ModelMetrics?.ModelQuality?.Statistics?.S3Uri).toBe(`${evaluationUri}/evaluation.json`);
      expect(request.InferenceSpecification?.Containers?.[0]?.ModelDataUrl).toBe('s3://bucket/model/model.tar.gz');
      expect(shapeProblems(request, 'CreateModelPackageInput', false)).toEqual([]);
    });

    it('takes parameter values given for the execution over the defaults', () => {
      const other = 'a'.repeat(40);
      const request = modelPackageRequest(definition, {
        ...values,
        parameters: { CommitId: other, ModelApprovalStatus: 'Approved' },
      });
      expect(request.MetadataProperties?.CommitId).toBe(other);
      expect(request.ModelApprovalStatus).toBe('Approved');
      expect(request.ModelPackageDescription?.startsWith(`commit ${other}`)).toBe(true);
    });

    it('rejects an execution that lacks a value the request needs, naming it', () => {
      expect(() => modelPackageRequest(definition, { ...values, execution: {} })).toThrow(UnresolvedReferenceError);
      expect(() => modelPackageRequest(definition, { ...values, execution: {} })).toThrow(
        '"Execution.PipelineExecutionArn"',
      );
    });
  });

  describe('images', () => {
    it('resolves an image in every region of the table, in the partition of the region', () => {
      for (const region of Object.keys(SKLEARN_REGISTRIES)) {
        expect(sklearnImageUri(region, '1.2-1')).toMatch(
          new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${region}\\.[a-z0-9.]+/sagemaker-scikit-learn:1\\.2-1-cpu-py3$`),
        );
      }
      expect(sklearnImageUri('cn-north-1', '1.2-1')).toBe(
        '450853457545.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-scikit-learn:1.2-1-cpu-py3',
      );
    });

    it('rejects a region that is not in the table, naming it', () => {
      expect(() => sklearnImageUri('xx-nowhere-1', '1.2-1')).toThrow(UnknownRegionError);
      expect(() => buildDefinition(CONFIG, { ...CONTEXT, region: 'xx-nowhere-1' })).toThrow('"xx-nowhere-1"');
    });
  });

  describe('configuration', () => {
    const valid = { inputData: 's3://bucket/data.csv', gate: { metric: 'mse', threshold: 6 } };

    it('fills documented defaults', () => {
      expect(parseConfig(valid)).toMatchObject({
        frameworkVersion: '1.2-1',
        training: { instanceType: 'ml.m5.large', maxRuntimeSeconds: 3600 },
        split: { validation: 0.15, test: 0.15 },
        hyperparameters: {},
      });
    });

    it.each([
      ['an unknown field', { ...valid, thresold: 3 }, '(root)'],
      ['an unknown metric', { ...valid, gate: { metric: 'accuracy', threshold: 1 } }, 'gate.metric'],
      [
        'an instance type that is not ml.*',
        { ...valid, training: { instanceType: 'm5.large' } },
        'training.instanceType',
      ],
      ['an input that is not an s3:// URI', { ...valid, inputData: 'https://example.com/x.csv' }, 'inputData'],
      ['a reserved hyperparameter name', { ...valid, hyperparameters: { sagemaker_program: 'x' } }, 'hyperparameters'],
      ['splits that leave nothing to train on', { ...valid, split: { validation: 0.45, test: 0.45 } }, 'split'],
    ])('rejects %s, naming the field', (_what, raw, field) => {
      expect(() => parseConfig(raw)).toThrow(ConfigError);
      expect(() => parseConfig(raw)).toThrow(`  - ${field}:`);
    });
  });
});
