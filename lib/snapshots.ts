/**
 * Where the product's version snapshots are read and written (`servicecatalog.ProductStackHistory`), one folder per
 * source provider under `product-stack-snapshots/`, so the two providers' templates of one version never overwrite
 * each other.
 *
 * Only a release writes there (`npm run release:snapshot`, context `releaseSnapshot=true`). Any other synth works on
 * a copy inside the cloud assembly: earlier versions are read from it, the current version's template is written to
 * it, and the committed snapshots stay as released. A locked version (`productVersionLocked=true`) whose committed
 * snapshot differs from the synthesized template fails either way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceProvider } from './config';
import { PROJECT_ROOT } from './seed-code';

/** The committed snapshots of every provider. */
export const SNAPSHOT_ROOT = path.join(PROJECT_ROOT, 'product-stack-snapshots');

/** The committed snapshot folder of one provider. */
export function committedSnapshotDirectory(provider: SourceProvider, root: string = SNAPSHOT_ROOT): string {
  return path.join(root, provider);
}

/**
 * The folder the synth gives `ProductStackHistory`: the committed one for a release; otherwise a copy of it in the
 * cloud assembly (`outdir`), made here, before any construct exists.
 */
export function snapshotDirectoryForSynth(options: {
  readonly provider: SourceProvider;
  readonly release: boolean;
  readonly outdir: string;
  readonly root?: string;
}): string {
  const committed = committedSnapshotDirectory(options.provider, options.root);
  if (options.release) return committed;
  const working = path.join(options.outdir, 'product-stack-snapshots', options.provider);
  fs.rmSync(working, { recursive: true, force: true });
  fs.mkdirSync(working, { recursive: true });
  if (fs.existsSync(committed)) fs.cpSync(committed, working, { recursive: true });
  return working;
}
