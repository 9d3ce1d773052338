/**
 * Plays SageMaker finishing a pipeline execution (moto records executions but runs no steps): the model version is
 * registered with exactly the CreateModelPackage request that the execution's RegisterModel step describes, built
 * by the seed code's own `modelPackageRequest` from the definition stored for the execution
 * (DescribePipelineDefinitionForExecution) and the execution's parameters (ListPipelineParametersForExecution).
 * Step outputs the request reads (the model artifact, the evaluation report) get the S3 locations a run would
 * produce. Then SageMaker's "Model Package State Change" event is built from the published sample with the fields of
 * the registered version.
 */
import {
  CreateModelPackageCommand,
  DescribeModelPackageCommand,
  DescribePipelineDefinitionForExecutionCommand,
  DescribePipelineExecutionCommand,
  ListPipelineParametersForExecutionCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { SageMakerStepsStandIn } from '../../support/sagemaker-steps';
import { modelPackageRequest, registerModelStep } from '../../sagemaker-pipeline/support/model-package';
import type { PipelineDefinition } from '../../../sagemaker-pipeline/src/definition';
import { collectGets } from '../../../sagemaker-pipeline/src/expressions';
import { awsEvent } from '../../support/fixtures';
import { AwsEvent, eventTime } from './git-events';

export interface Registration {
  readonly executionArn: string;
  readonly modelPackageArn: string;
  /** The request sent (for assertions). */
  readonly request: ReturnType<typeof modelPackageRequest>;
  /** SageMaker's state change event for the new version. */
  readonly event: AwsEvent;
}

export class SageMakerPlayer {
  private readonly sagemaker = new SageMakerClient({});

  private readonly s3 = new S3Client({ forcePathStyle: true });

  /**
   * @param steps where the execution's RegisterModel step is recorded (moto has no ListPipelineExecutionSteps), so
   * the release function can prove which execution registered the version
   */
  constructor(
    private readonly artifactBucket: string,
    private readonly steps?: SageMakerStepsStandIn,
  ) {}

  /** Completes the execution `executionArn`: registers its model version and returns the state change event. */
  async completeExecution(executionArn: string): Promise<Registration> {
    const execution = await this.sagemaker.send(
      new DescribePipelineExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    const stored = await this.sagemaker.send(
      new DescribePipelineDefinitionForExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    const definition = JSON.parse(stored.PipelineDefinition ?? '{}') as PipelineDefinition;
    const parameters = await this.sagemaker.send(
      new ListPipelineParametersForExecutionCommand({ PipelineExecutionArn: executionArn }),
    );
    const pipelineArn = execution.PipelineArn ?? '';
    const pipelineName = pipelineArn.split('/').pop() ?? '';
    const executionId = executionArn.split('/').pop() ?? '';
    const properties: Record<string, string> = {};
    for (const get of collectGets(registerModelStep(definition).Arguments)) {
      if (!get.startsWith('Steps.')) continue;
      // Steps.<step>.<property path>: where SageMaker writes that step's output in a run of this execution.
      const [, step] = get.split('.');
      properties[get] =
        `s3://${this.artifactBucket}/${pipelineName}/${executionId}/${step}/output/${get.split('.').pop()}`;
    }
    const request = modelPackageRequest(definition, {
      parameters: Object.fromEntries((parameters.PipelineParameters ?? []).map((p) => [p.Name ?? '', p.Value ?? ''])),
      execution: {
        PipelineExecutionArn: executionArn,
        PipelineExecutionId: executionId,
        PipelineArn: pipelineArn,
        PipelineName: pipelineName,
      },
      properties,
    });
    // The training step's output, where the step would have written it: the model artifact the version points to.
    for (const container of request.InferenceSpecification?.Containers ?? []) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(container.ModelDataUrl ?? '');
      if (match) {
        await this.s3.send(new PutObjectCommand({ Bucket: match[1], Key: match[2], Body: `model of ${executionArn}` }));
      }
    }
    const created = await this.sagemaker.send(new CreateModelPackageCommand(request));
    const modelPackageArn = created.ModelPackageArn ?? '';
    this.steps?.recordRegistration(executionArn, [modelPackageArn]);
    return { executionArn, modelPackageArn, request, event: await this.stateChangeEvent(modelPackageArn) };
  }

  /** SageMaker's "Model Package State Change" for the version as it is now (the published sample, filled in). */
  async stateChangeEvent(modelPackageArn: string): Promise<AwsEvent> {
    const described = await this.sagemaker.send(new DescribeModelPackageCommand({ ModelPackageName: modelPackageArn }));
    const event = awsEvent<AwsEvent>('sagemaker-model-package-state-change.json');
    const [, , , region, account] = modelPackageArn.split(':');
    event.id = randomUUID();
    event.time = eventTime();
    // The sample repeats `source`; real events carry the string (shared/fixtures/aws-events/README.md).
    event.source = 'aws.sagemaker';
    event.region = region ?? event.region;
    event.account = account ?? event.account;
    event.resources = [modelPackageArn];
    const actual = JSON.parse(JSON.stringify(described)) as Record<string, unknown>;
    for (const key of Object.keys(event.detail)) {
      if (actual[key] === undefined) delete event.detail[key];
      else event.detail[key] = actual[key];
    }
    return event;
  }
}
