/**
 * Context `account` and `region`: where the baseline stack is deployed. The context wins; else the CDK CLI's
 * CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION (from the caller's credentials); with neither, the message says how to
 * provide them.
 */
import * as z from 'zod';
import { ACCOUNT_ID_PATTERN, REGION_PATTERN } from '../../contracts/patterns';
import { SKLEARN_REGISTRIES } from '../../sagemaker-pipeline/src/images';
import { mustBe, show } from './errors';
import { contextString } from './values';

/**
 * Regions the product works in: those where SageMaker publishes the scikit-learn images the seed pipeline runs on
 * (`sagemaker-pipeline/src/images.ts`, from the SageMaker Python SDK's table). A synth for any other region is refused:
 * it would deploy, and every build there would fail on a missing image.
 */
export const SUPPORTED_REGIONS: readonly string[] = Object.keys(SKLEARN_REGISTRIES).sort();

/** What to do when the CDK CLI found no account or region: the message of a missing `account`/`region`. */
export const MISSING_ENVIRONMENT_HINT =
  'the CDK CLI found no AWS credentials to take it from. Configure credentials (`aws configure`, `AWS_PROFILE=...`, ' +
  'or `aws sso login`) and run the command again, or name the target on the command line: ' +
  '`-c account=<12-digit account id> -c region=<region>` (for example `-c account=111111111111 -c region=us-east-1`)';

const fromCli = (value: string | undefined) => (value === '' ? undefined : value);
const required = `is required and was not set: ${MISSING_ENVIRONMENT_HINT}`;

/** The schemas of `account` and `region`, with the CLI's environment as their fallback. */
export function environmentShape(env: NodeJS.ProcessEnv) {
  return {
    account: contextString(fromCli(env.CDK_DEFAULT_ACCOUNT), required).pipe(
      z.string().regex(ACCOUNT_ID_PATTERN, { error: mustBe('a 12-digit AWS account id') }),
    ),
    region: contextString(fromCli(env.CDK_DEFAULT_REGION), required).pipe(
      z
        .string()
        .regex(REGION_PATTERN, { error: mustBe('an AWS region such as "us-east-1"'), abort: true })
        .refine((region) => SUPPORTED_REGIONS.includes(region), {
          error: (issue) =>
            `is ${show(issue.input)}, where SageMaker publishes no scikit-learn image for the training pipeline ` +
            `(every build would fail). Supported regions: ${SUPPORTED_REGIONS.join(', ')}`,
        }),
    ),
  };
}
