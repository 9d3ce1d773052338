/**
 * The CodeCommit part of a project: its git repository, created with the seed code, and the EventBridge rules
 * that turn the repository's events into work, each filtered on this repository:
 * - a branch under the prefix is created, updated or deleted → the branch automation;
 * - a pull request is merged into the main branch, or the main branch is pushed to → the release automation.
 *
 * A Jenkins source (a later variant) replaces this construct and keeps the same {@link ProjectSource} surface.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../contracts/events';

/** What the rest of a project needs from its source, whatever the provider. */
export interface ProjectSource {
  readonly repository: codecommit.IRepository;
  /** Sends branch created / updated / deleted events of experiment branches to `target`. */
  addBranchTarget(target: events.IRuleTarget): void;
  /** Sends "merged into main" and "main updated" events to `target`. */
  addReleaseTarget(target: events.IRuleTarget): void;
}

export interface CodeCommitSourceProps {
  /** Physical name of the repository (promised to users: `model-<project>-train`). */
  readonly repositoryName: string;
  readonly description: string;
  /** Directory whose contents become the first commit of the main branch. */
  readonly seedDirectory: string;
  readonly branchPrefix: string;
  readonly mainBranch: string;
}

export const CODECOMMIT_SOURCE = EVENT_SOURCES.codecommit;
export const REPOSITORY_STATE_CHANGE = DETAIL_TYPES.repositoryStateChange;
export const PULL_REQUEST_STATE_CHANGE = DETAIL_TYPES.pullRequestStateChange;

export class CodeCommitSource extends Construct implements ProjectSource {
  readonly repository: codecommit.Repository;
  readonly branchRule: events.Rule;
  readonly mainUpdatedRule: events.Rule;
  readonly pullRequestMergedRule: events.Rule;

  constructor(scope: Construct, id: string, props: CodeCommitSourceProps) {
    super(scope, id);
    this.repository = new codecommit.Repository(this, 'Repository', {
      repositoryName: props.repositoryName,
      description: props.description,
      code: codecommit.Code.fromDirectory(props.seedDirectory, props.mainBranch),
    });
    // Retention (attack 8): the training code history outlives the project (docs/security.md).
    this.repository.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const repositoryArn = this.repository.repositoryArn;

    this.branchRule = new events.Rule(this, 'BranchRule', {
      description: `Experiment branches (${props.branchPrefix}*) created, updated or deleted`,
      eventPattern: {
        source: [CODECOMMIT_SOURCE],
        detailType: [REPOSITORY_STATE_CHANGE],
        resources: [repositoryArn],
        detail: {
          event: ['referenceCreated', 'referenceUpdated', 'referenceDeleted'],
          referenceType: ['branch'],
          referenceName: [{ prefix: props.branchPrefix }],
        },
      },
    });
    this.mainUpdatedRule = new events.Rule(this, 'MainUpdatedRule', {
      description: `Pushes to ${props.mainBranch}`,
      eventPattern: {
        source: [CODECOMMIT_SOURCE],
        detailType: [REPOSITORY_STATE_CHANGE],
        resources: [repositoryArn],
        detail: {
          event: ['referenceCreated', 'referenceUpdated'],
          referenceType: ['branch'],
          referenceName: [props.mainBranch],
        },
      },
    });
    this.pullRequestMergedRule = new events.Rule(this, 'PullRequestMergedRule', {
      description: `Pull requests merged into ${props.mainBranch}`,
      eventPattern: {
        source: [CODECOMMIT_SOURCE],
        detailType: [PULL_REQUEST_STATE_CHANGE],
        resources: [repositoryArn],
        detail: {
          event: ['pullRequestMergeStatusUpdated'],
          isMerged: ['True'],
          destinationReference: [`refs/heads/${props.mainBranch}`],
        },
      },
    });
  }

  addBranchTarget(target: events.IRuleTarget): void {
    this.branchRule.addTarget(target);
  }

  addReleaseTarget(target: events.IRuleTarget): void {
    this.mainUpdatedRule.addTarget(target);
    this.pullRequestMergedRule.addTarget(target);
  }
}
