/**
 * Props are documented like aws-cdk-lib's (issue 17): every property of an exported `…Props`, `…Config` or
 * `…Options` interface in lib/ has a TSDoc comment, and an optional one a `@default` tag saying what happens without
 * it. The checker (support/props-docs.ts) is shown to report both faults on a fixture first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/seed-code';
import { checkPropsDocs, formatFinding, sourceFiles } from './support/props-docs';

describe('the props documentation checker', () => {
  const FIXTURE = [
    'export interface WidgetProps {',
    '  /** The widget name. */',
    '  readonly name: string;',
    '  readonly colour: string;',
    '  /** How many. */',
    '  readonly count?: number;',
    '  /** Size in mm. @default 10 */',
    '  readonly size?: number;',
    '  /**',
    '   * Whether it spins.',
    '   * @default false',
    '   */',
    '  readonly spins?: boolean;',
    '  // a line comment is not TSDoc',
    '  readonly label?: string;',
    '}',
    'export interface WidgetConfig {',
    '  readonly depth?: number;',
    '}',
    '/** Not exported: not checked. */',
    'interface InternalProps {',
    '  readonly anything?: string;',
    '}',
    '/** Not a props, config or options interface: not checked. */',
    'export interface WidgetResult {',
    '  readonly anything?: string;',
    '}',
    'export type Unused = InternalProps;',
  ].join('\n');

  it('reports an undocumented prop and an optional prop without @default, with file, line and name', () => {
    expect(checkPropsDocs('fixture.ts', FIXTURE).map(formatFinding)).toEqual([
      'fixture.ts:4 WidgetProps.colour: no TSDoc comment',
      'fixture.ts:6 WidgetProps.count: optional without @default',
      'fixture.ts:15 WidgetProps.label: no TSDoc comment',
      'fixture.ts:18 WidgetConfig.depth: no TSDoc comment',
    ]);
  });

  it('finds nothing in a fully documented interface', () => {
    const documented = ['export interface OkOptions {', '  /** A. @default - none */', '  readonly a?: string;', '}'];
    expect(checkPropsDocs('ok.ts', documented.join('\n'))).toEqual([]);
  });
});

describe('props in lib/', () => {
  const files = sourceFiles(PROJECT_ROOT, 'lib');
  const findingsOf = (file: string) => checkPropsDocs(file, fs.readFileSync(path.join(PROJECT_ROOT, file), 'utf8'));

  it('reads the constructs and stacks', () => {
    expect(files).toEqual(expect.arrayContaining(['lib/constructs/alarm-topic.ts', 'lib/serving-stack.ts']));
  });

  it('are all documented, the optional ones with @default', () => {
    expect(files.flatMap(findingsOf).map(formatFinding)).toEqual([]);
  });
});
