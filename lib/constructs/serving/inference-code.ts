/**
 * The inference code of a stage's multi-model endpoint as the scikit-learn container takes it: a `sourcedir.tar.gz`
 * holding `inference.py` (model_fn, input_fn, predict_fn, output_fn), named by SAGEMAKER_SUBMIT_DIRECTORY and
 * SAGEMAKER_PROGRAM. Built at synth from `sagemaker-pipeline/scripts/inference.py` (the seed's copy), with the
 * seed's deterministic tar writer, and uploaded as a file asset.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { tarGz } from '../../../sagemaker-pipeline/src/tarball';
import { PROJECT_ROOT } from '../../seed-code';

export const INFERENCE_SCRIPT = path.join(PROJECT_ROOT, 'sagemaker-pipeline', 'scripts', 'inference.py');
export const INFERENCE_PROGRAM = 'inference.py';

export class InferenceCode extends Construct {
  readonly asset: s3assets.Asset;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const archive = tarGz([{ name: INFERENCE_PROGRAM, content: fs.readFileSync(INFERENCE_SCRIPT) }]);
    const hash = crypto.createHash('sha256').update(archive).digest('hex').slice(0, 16);
    const dir = path.join(Stage.of(this)?.outdir ?? '.', 'serving-code', hash);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'sourcedir.tar.gz');
    fs.writeFileSync(file, archive);
    this.asset = new s3assets.Asset(this, 'SourceDir', { path: file });
  }
}
