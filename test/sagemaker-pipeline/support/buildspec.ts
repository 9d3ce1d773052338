/** The seed's buildspec.yml as CodeBuild reads it (YAML parsed by Python's yaml, not by code of ours). */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

export interface Buildspec {
  readonly phases: { readonly install?: unknown; readonly build: { readonly commands: string[] } };
}

export function readBuildspec(seedDir: string): Buildspec {
  return JSON.parse(
    execFileSync(
      'python3',
      [
        '-c',
        'import json,sys,yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
        path.join(seedDir, 'buildspec.yml'),
      ],
      { encoding: 'utf8' },
    ),
  ) as Buildspec;
}
