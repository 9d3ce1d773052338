/**
 * The checks across the file: data, steps and models reference what exists, scripts are readable, no cycle; and the
 * order steps run in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PipelineSpec, STEP_NAME } from '../pipeline-schema';
import { ScriptInterface, argumentProblem, closest, readScriptInterface } from '../script-interface';
import { SOURCE_KINDS } from '../sources';
import { imageProblems, instanceProblem } from './builtins';
import { modelProblems } from './models';
import { FilePath, Problem } from './types';

/** Every script path the file names. */
export function scriptPaths(spec: PipelineSpec): string[] {
  const paths = new Set<string>();
  for (const step of Object.values(spec.steps)) paths.add(step.script);
  for (const model of spec.models) {
    if (model.training.entry) paths.add(model.training.entry);
    paths.add(model.evaluation.script);
  }
  return [...paths];
}

export function readScripts(spec: PipelineSpec, root: string): Map<string, ScriptInterface> {
  const scripts = new Map<string, ScriptInterface>();
  for (const script of scriptPaths(spec)) {
    const file = path.resolve(root, script);
    if (fs.existsSync(file)) scripts.set(script, readScriptInterface(fs.readFileSync(file, 'utf8')));
  }
  return scripts;
}

export function semanticProblems(spec: PipelineSpec, root: string): Problem[] {
  const problems: Problem[] = [];
  const scripts = new Map<string, ScriptInterface>();
  const scriptInterface = (script: string, at: FilePath): ScriptInterface | undefined => {
    if (scripts.has(script)) return scripts.get(script);
    const file = path.resolve(root, script);
    if (!fs.existsSync(file)) {
      problems.push({
        path: at,
        message: `script ${script} does not exist (paths are relative to the repository root)`,
      });
      return undefined;
    }
    const iface = readScriptInterface(fs.readFileSync(file, 'utf8'));
    scripts.set(script, iface);
    return iface;
  };

  // Data: exactly one source each.
  for (const [name, entry] of Object.entries(spec.data)) {
    const kinds = SOURCE_KINDS.filter((k) => (entry as Record<string, unknown>)[k] !== undefined);
    if (kinds.length !== 1) {
      problems.push({
        path: ['data', name],
        message: `data ${name} needs exactly one source (${SOURCE_KINDS.join(' or ')}), it has ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`,
      });
    }
    // A sql source's files are read by the run command (uploaded) and --local: missing ones are found here.
    const { sql } = entry;
    for (const [key, file] of [
      ['query', sql?.query],
      ['sslRootCert', sql?.sslRootCert],
    ] as const) {
      if (file !== undefined && !fs.existsSync(path.resolve(root, file))) {
        problems.push({
          path: ['data', name, 'sql', key],
          message: `${file} does not exist (paths are relative to the repository root; queries go in queries/<name>.sql)`,
        });
      }
    }
  }
  const dataNames = Object.keys(spec.data);
  const stepNames = Object.keys(spec.steps);
  for (const name of stepNames) {
    if (dataNames.includes(name)) {
      problems.push({
        path: ['steps', name],
        atKey: true,
        message: `${name} is both a data entry and a step; rename one`,
      });
    }
  }

  /** A reference's problem: a data name, or <step>.<output> of a step that declares that output. */
  const referenceProblem = (ref: string, at: FilePath): Problem | undefined => {
    const [stepName, output] = ref.split('.');
    if (output === undefined) {
      if (dataNames.includes(ref)) return undefined;
      if (stepNames.includes(ref)) {
        return {
          path: at,
          message: `${ref} is a step: name one of its outputs, like ${ref}.${spec.steps[ref]?.outputs[0] ?? '<output>'}`,
        };
      }
      const near = closest(ref, [...dataNames, ...stepNames]);
      return {
        path: at,
        message: `${ref} is not a data entry${near ? ` (did you mean ${near}?)` : ''}; data: ${dataNames.join(', ')}; or name a step output as <step>.<output>`,
      };
    }
    const step = spec.steps[stepName ?? ''];
    if (step === undefined) {
      const near = closest(stepName ?? '', stepNames);
      return {
        path: at,
        message: `step ${stepName} does not exist${near ? ` (did you mean ${near}?)` : ''}; steps: ${stepNames.join(', ') || 'none'}`,
      };
    }
    if (!step.outputs.includes(output)) {
      return {
        path: at,
        message: `step ${stepName} has no output ${output}; its outputs: ${step.outputs.join(', ') || 'none'} (add it to its outputs, or refer to one of those)`,
      };
    }
    return undefined;
  };

  // Processing steps.
  for (const [name, step] of Object.entries(spec.steps)) {
    const at = ['steps', name];
    if (!STEP_NAME.test(name)) continue;
    problems.push(...imageProblems(step.image, [...at, 'image'], step.instance, [...at, 'instance']));
    problems.push(...instanceProblem(step.instance, 'processing', [...at, 'instance']));
    for (const [input, ref] of Object.entries(step.inputs)) {
      const problem = referenceProblem(ref, [...at, 'inputs', input]);
      if (problem) problems.push(problem);
      if (input === 'code') {
        problems.push({
          path: [...at, 'inputs', input],
          atKey: true,
          message: "code is reserved (the step's script is mounted as input code); choose another name",
        });
      }
    }
    const iface = scriptInterface(step.script, [...at, 'script']);
    // In an image of the project's own, the script's interpreter and libraries are its own business.
    if (iface === undefined || step.image.ecr !== undefined) continue;
    for (const [arg, value] of Object.entries(step.arguments)) {
      const problem = argumentProblem(iface, arg, value, step.script);
      if (problem)
        problems.push({ path: [...at, 'arguments', arg], atKey: !iface.arguments.has(arg), message: problem });
    }
    for (const [kind, names] of [
      ['input', Object.keys(step.inputs)],
      ['output', step.outputs],
    ] as const) {
      for (const n of names) {
        if (!iface.arguments.has(n)) {
          problems.push({
            path: kind === 'input' ? [...at, 'inputs', n] : [...at, 'outputs', step.outputs.indexOf(n)],
            atKey: kind === 'input',
            message: `${step.script} has no option --${n}: the step passes each ${kind}'s directory as --${n} <directory>; add parser.add_argument("--${n}") to the script`,
          });
        }
      }
    }
  }
  problems.push(...cycleProblems(spec));

  // Models.
  const seen = new Set<string>();
  spec.models.forEach((model, index) => {
    const at: FilePath = ['models', index];
    if (seen.has(model.name))
      problems.push({ path: [...at, 'name'], message: `model name ${model.name} is used twice` });
    seen.add(model.name);
    problems.push(...modelProblems(model, at, referenceProblem, scriptInterface));
  });
  return problems;
}

/** A cycle among processing steps (A reads B's output, B reads A's). */
function cycleProblems(spec: PipelineSpec): Problem[] {
  const edges = new Map<string, string[]>();
  for (const [name, step] of Object.entries(spec.steps)) {
    edges.set(
      name,
      Object.values(step.inputs)
        .map((ref) => ref.split('.'))
        .filter((parts) => parts.length === 2 && spec.steps[parts[0] ?? ''] !== undefined)
        .map((parts) => parts[0] as string),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const problems: Problem[] = [];
  const visit = (name: string, trail: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const first = spec.steps[name];
      const input = Object.entries(first?.inputs ?? {}).find(([, ref]) => ref.startsWith(`${cycle[1] ?? ''}.`))?.[0];
      problems.push({
        path: input ? ['steps', name, 'inputs', input] : ['steps', name],
        message: `steps form a cycle: ${cycle.join(' → ')} (each reads the next one's output); a step can only read data or outputs of steps that do not read it`,
      });
      return;
    }
    state.set(name, 'visiting');
    for (const next of edges.get(name) ?? []) visit(next, [...trail, name]);
    state.set(name, 'done');
  };
  for (const name of edges.keys()) if (state.get(name) !== 'done') visit(name, []);
  return problems;
}

/** Processing steps in an order where every step comes after the steps it reads. */
export function processingOrder(spec: PipelineSpec): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (name: string) => {
    if (done.has(name)) return;
    done.add(name);
    for (const ref of Object.values(spec.steps[name]?.inputs ?? {})) {
      const [step, output] = ref.split('.');
      if (output !== undefined && spec.steps[step ?? ''] !== undefined) visit(step as string);
    }
    order.push(name);
  };
  Object.keys(spec.steps).forEach(visit);
  return order;
}
