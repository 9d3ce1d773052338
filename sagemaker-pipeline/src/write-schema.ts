/**
 * Writes `pipeline.schema.json` beside this folder's `pipeline.yaml` from the schema run.js checks the file with
 * (`npm run seed:schema`); a test fails when the committed file differs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipelineJsonSchema } from './pipeline-schema';

const file = path.join(__dirname, '..', 'pipeline.schema.json');
fs.writeFileSync(file, `${JSON.stringify(pipelineJsonSchema(), null, 2)}\n`);
process.stdout.write(`wrote ${file}\n`);
