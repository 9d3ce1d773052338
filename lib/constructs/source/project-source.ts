/**
 * The source provider as a strategy: what a project needs from wherever its code lives, so the project template
 * (lib/project-product-stack.ts) builds its common parts and asks the source for the rest, without knowing which
 * provider it has.
 *
 * - `codecommit` (lib/constructs/source/codecommit-project-source.ts): the CodeCommit repository with the seed code,
 *   its branch and release events, the branch automation, main-branch protection, the pull request report and the
 *   retrain schedule;
 * - `external-ci` (lib/constructs/source/external-ci-project-source.ts): code in an outside repository, built by
 *   Jenkins or GitHub Actions: the train build reads a source archive CI uploads, and CI gets roles and outputs.
 *
 * A project calls the strategy in three steps, in this order: it creates the source (the factory, first, so the
 * repository exists before anything names it), then {@link ProjectSource.addBranchTraining} once the train build
 * exists, then {@link ProjectSource.addEntryPoints} once the release automation exists. Each step adds the
 * provider's constructs to the scope it is given (the product stack), so their logical ids are those of the
 * releases before the strategy existed.
 */
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { TrainBuildProject } from '../train-build-project';

/**
 * Files a source needs that are built before synthesis, outside any construct (lib/build-inputs.ts), so that
 * constructing the project writes nothing.
 */
export interface ProjectBuildInputs {
  /** The staged seed code: the first commit of a new CodeCommit repository. */
  readonly seedDirectory: string;
  /** The synthesized per-branch template (lib/branch-pipeline-stack.ts), published as an asset. */
  readonly branchTemplateFile: string;
}

/** A CodeCommit repository whose branch events create, update and delete branch pipelines. */
export interface BranchEventSource {
  /** The repository the branch pipelines read from. */
  readonly repository: codecommit.IRepository;
  /** Sends branch created / updated / deleted events of experiment branches to `target`. */
  addBranchTarget(target: events.IRuleTarget): void;
}

/** A CodeCommit repository whose merges into main and pushes to main release a model. */
export interface ReleaseEventSource {
  /** The repository the release function verifies merges with. */
  readonly repository: codecommit.IRepository;
  /** Sends "merged into main" and "main updated" events to `target`. */
  addReleaseTarget(target: events.IRuleTarget): void;
}

/** The common parts of a project, which the source's steps build on. */
export interface ProjectParts {
  /** Where the source adds its constructs: the product stack. */
  readonly scope: Construct;
  /** The SageMaker project name; a CloudFormation parameter in the product stack. */
  readonly projectName: string;
  /** The SageMaker project id; a CloudFormation parameter in the product stack. */
  readonly projectId: string;
  /** The project's first model package group, `model-<project>`. */
  readonly modelPackageGroupName: string;
  /** The project's artifact bucket. */
  readonly artifactBucket: s3.Bucket;
  /** The project's train build `model-<project>-train`. */
  readonly trainBuild: TrainBuildProject;
  /** The project's alarm topic: every alarm the source adds notifies it. */
  readonly alarmTopic: sns.ITopic;
  /** Retention of the log groups of the functions the source adds. */
  readonly logRetention: logs.RetentionDays;
}

/** The release automation, as the source's entry points use it. */
export interface ReleaseEntry {
  /** The release function `release-model-package-<project>`. */
  readonly releaseFunction: lambda.IFunction;
}

/** What a project needs from its source, whatever the provider. */
export interface ProjectSource {
  /**
   * The repository's name as the project promises it (`model-<project>-train`): the name Studio lists and the
   * release function matches source events on.
   */
  readonly repositoryName: string;
  /**
   * The source's release events; undefined when CI invokes the release function directly (external CI).
   */
  readonly releaseEvents?: ReleaseEventSource;
  /**
   * The source of the train build, which reads from the project's artifact bucket.
   * @returns undefined for the branch pipeline's source artifact (a CodePipeline project)
   */
  trainBuildSource(artifactBucket: s3.IBucket): codebuild.ISource | undefined;
  /**
   * Adds how experiment branches get trained, once the train build exists: the branch automation (CodeCommit), or
   * nothing (external CI starts the train build itself).
   */
  addBranchTraining(project: ProjectParts): void;
  /**
   * Adds what people and CI use once the release automation exists: main-branch protection, the pull request
   * report, the retrain schedule and their outputs (CodeCommit), or the CI roles and outputs (external CI).
   */
  addEntryPoints(project: ProjectParts, release: ReleaseEntry): void;
}
