/**
 * The ORM model check's front-door part: reads the models at the deployed revision (`--deployed-ref`,
 * config `deployedRef`, default the merge-base with the upstream/default branch) and in the working
 * tree, for the model-aware rules. Without git only the working tree is read, and the report says so.
 */
import path from 'node:path';
import { readModels, type ModelFacts, type ModelRevision } from '../analyze/models/facts.ts';
import { deployedBase, gitRoot } from '../source/git.ts';
import { gitRevision, workingTree, type RevisionSource } from '../source/revision.ts';
import { loadTypeScript } from '../source/ts/typescript.ts';

export interface ModelCheckOptions {
  cwd: string;
  deployedRef?: string;
  /** Config `models`: globs of model files (repository-relative); false turns the check off. */
  models?: readonly string[] | false;
}

/** Text that can hold a model some reader understands (cheap test before loading TypeScript). */
const ORM_HINT = /\btypeorm\b|drizzle-orm|\bsequelize\b|@mikro-orm|\bkysely\b/;

function mayHoldModels(files: RevisionSource): boolean {
  return files.paths().some((p) => p.endsWith('.prisma') || ORM_HINT.test(files.read(p) ?? ''));
}

/** Model references as paths relative to the working directory, as the findings' paths are. */
function relativeRefs(rev: ModelRevision, root: string, cwd: string): ModelRevision {
  const rel = (p: string): string => path.relative(cwd, path.join(root, p)).split(path.sep).join('/') || p;
  for (const t of rev.tables) {
    t.ref.path = rel(t.ref.path);
    for (const c of t.columns) c.ref.path = rel(c.ref.path);
  }
  for (const p of rev.problems) p.ref.path = rel(p.ref.path);
  return rev;
}

/** Undefined when the check is off or the repository has no models at either revision. */
export async function loadModelFacts(options: ModelCheckOptions): Promise<ModelFacts | undefined> {
  if (options.models === false) return undefined;
  const globs = options.models;
  const base = deployedBase(options.cwd, options.deployedRef);
  const root = base?.root ?? gitRoot(options.cwd) ?? options.cwd;
  const current = workingTree(root, base !== undefined || gitRoot(options.cwd) !== undefined, globs);
  const deployed = base ? gitRevision(root, base.commit, `${base.ref} (deployed)`, globs) : undefined;
  if (!mayHoldModels(current) && !(deployed && mayHoldModels(deployed))) return undefined;
  await loadTypeScript();
  const facts: ModelFacts = {
    deployed: deployed ? relativeRefs(readModels(deployed), root, options.cwd) : undefined,
    current: relativeRefs(readModels(current), root, options.cwd),
  };
  if (!base) facts.note = 'ORM model check: no deployed revision (not a git repository, or no upstream/main/master branch): the working tree stands in for the running code; pass --deployed-ref <ref>';
  return facts;
}
