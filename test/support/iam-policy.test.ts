import { evaluate, isAllowed, PolicyDocument, PolicyEvaluationError } from './iam-policy';

const ROLE = 'arn:aws:iam::111111111111:role/multibranch-mlops/SC-1-pp-x-Role-ABC';
const policies: PolicyDocument[] = [
  {
    Statement: [
      {
        Sid: 'Rules',
        Effect: 'Allow',
        Action: ['events:Describe*', 'events:PutRule'],
        Resource: 'arn:aws:events:us-east-1:111111111111:rule/SC-*',
      },
      {
        Sid: 'Pass',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::111111111111:role/multibranch-mlops/*',
        Condition: { StringEquals: { 'iam:PassedToService': ['lambda.amazonaws.com'] } },
      },
      { Sid: 'Star', Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      {
        Sid: 'NoDelete',
        Effect: 'Deny',
        Action: 'events:*',
        Resource: '*',
        Condition: { StringLike: { 'aws:PrincipalTag/team': 'guest*' } },
      },
    ],
  },
];
const RULE = 'arn:aws:events:us-east-1:111111111111:rule/SC-1-pp-x-Rule-ABC';

describe('isAllowed', () => {
  it('matches actions case-insensitively with wildcards, resources case-sensitively', () => {
    expect(isAllowed(policies, 'events:DescribeRule', RULE)).toBe(true);
    expect(isAllowed(policies, 'Events:describerule', RULE)).toBe(true);
    expect(isAllowed(policies, 'events:DeleteRule', RULE)).toBe(false);
    expect(isAllowed(policies, 'events:PutRule', RULE.replace('SC-', 'sc-'))).toBe(false);
  });
  it('evaluates conditions, and a missing condition key fails a positive operator', () => {
    expect(isAllowed(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' })).toBe(true);
    expect(isAllowed(policies, 'iam:PassRole', ROLE, { 'iam:PassedToService': 'ec2.amazonaws.com' })).toBe(false);
    expect(isAllowed(policies, 'iam:PassRole', ROLE)).toBe(false);
  });
  it('lets an explicit deny win', () => {
    expect(evaluate(policies, 'events:PutRule', RULE, { 'aws:PrincipalTag/team': 'guest-1' })).toEqual({
      decision: 'explicitly-denied',
      statements: ['NoDelete'],
    });
  });
  it('grants a request on "*" (no resource-level permission) only through a "*" resource', () => {
    expect(isAllowed(policies, 'logs:DescribeLogGroups', '*')).toBe(true);
    expect(isAllowed(policies, 'events:DescribeRule', '*')).toBe(false);
  });
  it('throws on an operator it does not evaluate, rather than guessing', () => {
    const numeric: PolicyDocument = {
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: '*',
          Condition: { NumericLessThan: { 's3:max-keys': '10' } },
        },
      ],
    };
    expect(() => isAllowed([numeric], 's3:GetObject', 'arn:aws:s3:::b/k')).toThrow(PolicyEvaluationError);
  });
});
