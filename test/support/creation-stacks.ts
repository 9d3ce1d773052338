/**
 * Context that turns off the stack trace aws-cdk-lib captures for every stack and CloudFormation element it creates
 * (metadata `aws:cdk:creationStack`, read only by error and validation reports to say where a construct was made;
 * under jest each capture goes through source-map-support, ~3.4 CPU-s a run). Every App a test builds sets it, the
 * per-branch template's app included (`branchTemplateContext` of prepareBuildInputs, `context` of
 * synthesizeBranchTemplate); no test reads creation stacks. CDK_DEBUG=true turns them back on for a debugging run.
 * Its own module (no other import than cx-api), so the suites that build small apps load no more than before.
 */
import { DISABLE_CREATION_STACK_TRACES } from 'aws-cdk-lib/cx-api';

export const NO_CREATION_STACKS: Readonly<Record<string, unknown>> = { [DISABLE_CREATION_STACK_TRACES]: true };
