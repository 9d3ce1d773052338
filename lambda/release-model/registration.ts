/**
 * The registration path: SageMaker reports a model version of one of the project's groups. The function verifies
 * the facts itself (group tag, the execution that registered the version: provenance.ts) and only then writes the
 * commit index; a version it cannot verify is logged and left out of the index, so no merge ever approves it. If a
 * merge (or a CI invocation with `approve_when_registered`) waits for the version's commit, the commit is released
 * as that merge would have released it: the same source branch, the same rules (merge.ts).
 */
import { Context, ReleaseResult } from './context';
import { getIntent, markIntentDone } from './intents';
import { verifyAndIndex } from './indexing';
import { releaseCommit } from './merge';

export async function onModelRegistered(modelPackageArn: string, ctx: Context): Promise<ReleaseResult> {
  const indexed = await verifyAndIndex(modelPackageArn, ctx);
  if ('problem' in indexed) {
    return {
      outcome: 'ignored',
      modelPackageArn,
      message: `model version ${modelPackageArn} was not indexed, so no merge can approve it: ${indexed.problem}`,
    };
  }
  const { commitId } = indexed.entry;
  const intent = await getIntent(ctx.store, commitId, ctx.now());
  if (intent === undefined) {
    return {
      outcome: 'ignored',
      commitId,
      modelPackageArn,
      message: `indexed ${modelPackageArn} for commit ${commitId} (${indexed.outcome}); no merge waits for the commit`,
    };
  }
  const first = intent.trigger.kind === 'pull-request' ? 'The merge' : 'The direct invocation';
  const result = await releaseCommit(
    {
      commitId,
      trigger: intent.trigger,
      sourceBranch: intent.trigger.sourceBranch,
      whenMissing: 'ignore',
      note: `${first} (recorded ${intent.recordedAt}) came before the model was registered; approved on registration.`,
    },
    ctx,
  );
  // Kept for the record; a later version of another group of the commit is still released (the intent is not a gate).
  if (result.outcome === 'approved' || result.outcome === 'already-approved') {
    await markIntentDone(ctx.store, commitId, result.modelPackageArn ?? modelPackageArn, ctx.now());
  }
  return result;
}
