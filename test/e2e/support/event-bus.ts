/**
 * Delivery "as EventBridge would": an event goes to the targets of every rule whose event pattern matches it, and
 * to nothing else. The rules are the `AWS::Events::Rule` resources of the synthesized project template, their
 * patterns resolved against the emulator (the repository ARN, the model package group name), matched with
 * {@link matchesEventPattern}. A rule's `Input` replaces the event, as EventBridge's constant input does.
 *
 * Scheduled rules do not match events; {@link EventBus.fireSchedule} plays their schedule.
 */
import type { DeployedFunction, Invocation } from './deployed-app';
import { matchesEventPattern } from './event-pattern';
import { CfnTemplate, resourcesOfType, TemplateResources } from './template-resources';

interface RuleTarget {
  readonly functionLogicalId: string;
  readonly input?: unknown;
}

interface Rule {
  readonly logicalId: string;
  readonly pattern?: Record<string, unknown>;
  readonly schedule?: string;
  readonly targets: RuleTarget[];
}

export interface Delivery {
  readonly rule: string;
  readonly invocation: Invocation;
}

export class EventBus {
  private constructor(
    private readonly rules: Rule[],
    private readonly functions: ReadonlyMap<string, DeployedFunction>,
  ) {}

  static async fromTemplate(
    template: CfnTemplate,
    resources: TemplateResources,
    functions: ReadonlyMap<string, DeployedFunction>,
  ): Promise<EventBus> {
    const rules: Rule[] = [];
    for (const logicalId of resourcesOfType(template, 'AWS::Events::Rule')) {
      const props = template.Resources[logicalId]?.Properties ?? {};
      if (props.State !== undefined && props.State !== 'ENABLED') continue;
      const targets = ((props.Targets as { Arn: unknown; Input?: string }[] | undefined) ?? []).map((target) => {
        const arn = target.Arn as { 'Fn::GetAtt'?: [string, string] };
        const functionLogicalId = arn['Fn::GetAtt']?.[0];
        if (!functionLogicalId || !functions.has(functionLogicalId)) {
          throw new Error(`rule ${logicalId} targets ${JSON.stringify(target.Arn)}, which is not a deployed function`);
        }
        return {
          functionLogicalId,
          input: target.Input === undefined ? undefined : (JSON.parse(target.Input) as unknown),
        };
      });
      rules.push({
        logicalId,
        pattern:
          props.EventPattern === undefined
            ? undefined
            : ((await resources.resolve(props.EventPattern)) as Record<string, unknown>),
        schedule: props.ScheduleExpression as string | undefined,
        targets,
      });
    }
    return new EventBus(rules, functions);
  }

  /** The resolved event pattern of a rule (for assertions). */
  pattern(ruleLogicalId: string): Record<string, unknown> | undefined {
    return this.rules.find((r) => r.logicalId === ruleLogicalId)?.pattern;
  }

  /** Puts an event on the bus: invokes the targets of every matching rule, one after the other. */
  async put(event: unknown): Promise<Delivery[]> {
    const deliveries: Delivery[] = [];
    for (const rule of this.rules) {
      if (!rule.pattern || !matchesEventPattern(rule.pattern, event)) continue;
      for (const target of rule.targets) {
        deliveries.push({ rule: rule.logicalId, invocation: await this.invoke(target, event) });
      }
    }
    return deliveries;
  }

  /** The schedule of a scheduled rule fires once: its targets get their constant input. */
  async fireSchedule(ruleLogicalId: string): Promise<Delivery[]> {
    const rule = this.rules.find((r) => r.logicalId === ruleLogicalId);
    if (!rule?.schedule) throw new Error(`${ruleLogicalId} is not a scheduled rule of the template`);
    const deliveries: Delivery[] = [];
    for (const target of rule.targets) {
      deliveries.push({ rule: rule.logicalId, invocation: await this.invoke(target, undefined) });
    }
    return deliveries;
  }

  /** Logical ids of the scheduled rules. */
  scheduledRules(): string[] {
    return this.rules.filter((r) => r.schedule !== undefined).map((r) => r.logicalId);
  }

  private invoke(target: RuleTarget, event: unknown): Promise<Invocation> {
    const fn = this.functions.get(target.functionLogicalId);
    if (!fn) throw new Error(`no deployed function ${target.functionLogicalId}`);
    return fn.invoke(target.input ?? event);
  }
}
