/**
 * The seed's buildspec.yml as CodeBuild reads it: YAML 1.1 (CodeBuild's parser, like PyYAML, reads 1.1), parsed by
 * the `yaml` package, not by code of ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface Buildspec {
  readonly phases: { readonly install?: unknown; readonly build: { readonly commands: string[] } };
}

/** Parses a buildspec file (YAML 1.1, duplicate keys refused). */
export function parseBuildspecFile(file: string): unknown {
  return parseYaml(fs.readFileSync(file, 'utf8'), { version: '1.1', uniqueKeys: true, prettyErrors: true });
}

export function readBuildspec(seedDir: string): Buildspec {
  return parseBuildspecFile(path.join(seedDir, 'buildspec.yml')) as Buildspec;
}
