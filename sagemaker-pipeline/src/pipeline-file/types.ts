/** What reading pipeline.yaml yields: the checked configuration, or every problem with its place in the file. */
import { PipelineSpec } from '../pipeline-schema';
import { ScriptInterface } from '../script-interface';

export type FilePath = readonly (string | number)[];

export interface Problem {
  readonly path: FilePath;
  readonly message: string;
  /** Point at the key of the last path element rather than its value (unknown keys). */
  readonly atKey?: boolean;
  /** Set for syntax errors, which have no path. */
  readonly line?: number;
  readonly column?: number;
}

export class PipelineFileError extends Error {
  override readonly name = 'PipelineFileError';
  constructor(
    readonly file: string,
    readonly problems: readonly { line: number; column: number; message: string }[],
  ) {
    super(problems.map((p) => `${file}:${p.line}:${p.column}: ${p.message}`).join('\n'));
  }
}

/** The checked pipeline file and what the pipeline reads from its scripts. */
export interface PipelineConfig {
  /** The file's name as given (for messages). */
  readonly file: string;
  /** Scripts are relative to this directory: the repository root, where run.js is. */
  readonly root: string;
  readonly spec: PipelineSpec;
  /** Script path (as written in the file) → its declared interface. */
  readonly scripts: ReadonlyMap<string, ScriptInterface>;
}
