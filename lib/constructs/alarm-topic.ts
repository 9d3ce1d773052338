/**
 * The project's one SNS topic for alarms (issue 10, attack 10; contract 6 of the team): every CloudWatch alarm of
 * the project notifies it, and people subscribe to it (an optional e-mail subscription from configuration,
 * `alarmEmail`).
 *
 * Encrypted with a customer managed KMS key: CloudWatch cannot publish to a topic encrypted with the AWS managed key
 * `alias/aws/sns` (its key policy cannot be changed to let cloudwatch.amazonaws.com use it), so the key grants
 * CloudWatch of this account GenerateDataKey and Decrypt. Publishing requires TLS (the topic policy denies
 * `aws:SecureTransport` false).
 */
import { Aspects, Aws, IAspect, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct, IConstruct } from 'constructs';
import { propChecker, EMAIL_RULE } from './validation';

/** What AlarmTopic checks before it creates anything (lib/constructs/validation.ts). */
const validate = propChecker<AlarmTopicProps>('AlarmTopic', {
  email: EMAIL_RULE,
});

export interface AlarmTopicProps {
  /** The SageMaker project's name, shown in the topic's display name and the key's description. */
  readonly projectName: string;
  /**
   * Address subscribed to the topic (it must confirm the subscription); an e-mail address (context `alarmEmail`).
   * @default - no subscription
   */
  readonly email?: string;
}

export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, validate(scope, id, props));
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the alarm topic of SageMaker project ${props.projectName}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // CloudWatch alarms publish with this key, and so do EventBridge rules that alarm through the topic (a failed
    // scheduled retrain).
    const publishers = [
      ['CloudWatchAlarmsPublish', 'cloudwatch.amazonaws.com'],
      ['EventBridgeRulesPublish', 'events.amazonaws.com'],
    ] as const;
    for (const [sid, service] of publishers) {
      this.key.addToResourcePolicy(
        new iam.PolicyStatement({
          sid,
          principals: [new iam.ServicePrincipal(service)],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
        }),
      );
    }
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: `Alarms of SageMaker project ${props.projectName}`,
      masterKey: this.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
  }

  /** Makes every CloudWatch alarm in `scope` (now or added later) notify the topic when it fires and recovers. */
  notifyAllAlarmsIn(scope: IConstruct): void {
    Aspects.of(scope).add(new NotifyTopic(this.topic));
  }
}

/** Adds the topic as alarm and OK action of each alarm it visits, once. */
class NotifyTopic implements IAspect {
  private readonly done = new Set<cloudwatch.Alarm>();
  constructor(private readonly topic: sns.ITopic) {}

  visit(node: IConstruct): void {
    if (!(node instanceof cloudwatch.Alarm) || this.done.has(node)) return;
    this.done.add(node);
    // A construct may already have made its alarm notify the topic (the pull request report does): not twice.
    // AlarmBase keeps the actions in protected lists; SnsAction binds to the topic's ARN token, the same string.
    const current = node as unknown as { alarmActionArns?: readonly string[]; okActionArns?: readonly string[] };
    const notifies = (arns: readonly string[] | undefined) => (arns ?? []).includes(this.topic.topicArn);
    if (!notifies(current.alarmActionArns)) node.addAlarmAction(new actions.SnsAction(this.topic));
    if (!notifies(current.okActionArns)) node.addOkAction(new actions.SnsAction(this.topic));
  }
}
