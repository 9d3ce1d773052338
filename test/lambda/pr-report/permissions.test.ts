/**
 * Every AWS call the report code makes is granted (lambda/pr-report/permissions.ts, used by both policies), and
 * nothing granted is unused. The calls are read from the source: each `new <Operation>Command(` of the SDK clients.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PR_REPORT_CODECOMMIT_ACTIONS, PR_REPORT_READ_ACTIONS } from '../../../lambda/pr-report/permissions';
import { PROJECT_ROOT } from '../../support/fixtures';

const DIR = path.join(PROJECT_ROOT, 'lambda', 'pr-report');
/** Client module → IAM service prefix; STS GetCallerIdentity needs no permission. */
const SERVICES: Record<string, string | null> = {
  '@aws-sdk/client-codecommit': 'codecommit',
  '@aws-sdk/client-sagemaker': 'sagemaker',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-sts': null,
};

function callsInSource(): string[] {
  const calls = new Set<string>();
  for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith('.ts'))) {
    const text = fs.readFileSync(path.join(DIR, file), 'utf8');
    const imports = [...text.matchAll(/import \{([^}]+)\} from '(@aws-sdk\/client-[a-z0-9-]+)'/g)];
    for (const [, names, module] of imports) {
      const service = SERVICES[module as string];
      if (service === undefined) throw new Error(`${file} imports ${module}: add it to SERVICES`);
      for (const name of (names as string).split(',').map((n) => n.trim())) {
        const op = /^(\w+)Command$/.exec(name)?.[1];
        if (op !== undefined && service !== null && text.includes(`new ${name}(`)) calls.add(`${service}:${op}`);
      }
    }
  }
  return [...calls].sort();
}

describe('pull request report permissions', () => {
  it('grants exactly the calls the code makes', () => {
    const granted = [...PR_REPORT_CODECOMMIT_ACTIONS, ...PR_REPORT_READ_ACTIONS].sort();
    expect(callsInSource()).toEqual(granted);
  });
});
