/**
 * The CodeCommit part of a project: its git repository, created with the seed code, and the EventBridge rules
 * that turn the repository's events into work, each filtered on this repository:
 * - a branch under the prefix is created, updated or deleted → the branch automation;
 * - a pull request is merged into the main branch, or the main branch is pushed to → the release automation.
 *
 * The `codecommit` source provider (codecommit-project-source.ts) creates it first in the project template.
 */
import * as fs from 'node:fs';
import { RemovalPolicy, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { BranchEventSource, ReleaseEventSource } from './project-source';
import { DETAIL_TYPES, EVENT_SOURCES } from '../../../contracts/events';
import { assertBranchName } from '../../../contracts/naming';

export interface CodeCommitSourceProps {
  /** Physical name of the repository (promised to users: `model-<project>-train`); may be a token. */
  readonly repositoryName: string;
  /** Description of the repository. */
  readonly description: string;
  /**
   * Directory whose contents become the first commit of the main branch: the staged seed code, produced before
   * synthesis by `prepareBuildInputs` (lib/build-inputs.ts); this construct only reads it.
   */
  readonly seedDirectory: string;
  /** Prefix of the branches that train, such as `experiment/`; it ends with a separator. */
  readonly branchPrefix: string;
  /** The branch whose merges and pushes release (short name, such as `main`). */
  readonly mainBranch: string;
}

function validate(props: CodeCommitSourceProps): void {
  if (!fs.existsSync(props.seedDirectory) || !fs.statSync(props.seedDirectory).isDirectory()) {
    throw new Error(
      `seedDirectory ${JSON.stringify(props.seedDirectory)} is not a directory: stage the seed code first ` +
        '(prepareBuildInputs in lib/build-inputs.ts) and pass its seedDirectory',
    );
  }
  if (!Token.isUnresolved(props.branchPrefix) && !/^[A-Za-z0-9._/-]*[/_-]$/.test(props.branchPrefix)) {
    throw new Error(
      `branchPrefix ${JSON.stringify(props.branchPrefix)} must be the start of a branch name ending with a ` +
        'separator, such as "experiment/"',
    );
  }
  if (!Token.isUnresolved(props.mainBranch)) assertBranchName(props.mainBranch);
}

export class CodeCommitSource extends Construct implements BranchEventSource, ReleaseEventSource {
  /** The project's repository, retained when the project is deleted. */
  readonly repository: codecommit.Repository;
  /** Branches under the prefix created, updated or deleted. */
  readonly branchRule: events.Rule;
  /** Pushes to the main branch. */
  readonly mainUpdatedRule: events.Rule;
  /** Pull requests merged into the main branch. */
  readonly pullRequestMergedRule: events.Rule;

  constructor(scope: Construct, id: string, props: CodeCommitSourceProps) {
    validate(props); // before super(): bad input adds nothing to the tree
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
        source: [EVENT_SOURCES.codecommit],
        detailType: [DETAIL_TYPES.repositoryStateChange],
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
        source: [EVENT_SOURCES.codecommit],
        detailType: [DETAIL_TYPES.repositoryStateChange],
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
        source: [EVENT_SOURCES.codecommit],
        detailType: [DETAIL_TYPES.pullRequestStateChange],
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
