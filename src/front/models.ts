/**
 * The ORM model check's front-door part: reads the models at the deployed revision (`--deployed-ref`,
 * config `deployedRef`, default the merge-base with the upstream/default branch) and in the working
 * tree, for the model-aware rules. Without git only the working tree is read, and the report says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readModels, type ModelFacts, type ModelRevision } from '../analyze/models/facts.ts';
import { deployedBase, gitRoot } from '../source/git.ts';
import { gitRevision, workingTree } from '../source/revision.ts';
import { MODEL_DEFINITION_HINT, MODEL_FILE_HINT, MODEL_READERS, SCHEMA_FILE_READERS } from '../analyze/models/readers.ts';
import { loadPrismaAst } from '../analyze/models/prisma.ts';
import { initParser } from '../parse/parser.ts';
import { loadTypeScript } from '../source/ts/typescript.ts';

export interface ModelCheckOptions {
  cwd: string;
  deployedRef?: string;
  /** Config `models`: globs of model files (repository-relative); false turns the check off. */
  models?: readonly string[] | false;
}

/** Project markers above the working directory, when it is not in a git repository. */
const PROJECT_MARKERS = ['package.json', 'prisma', 'schema.prisma'];

function projectRoot(dir: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (PROJECT_MARKERS.some((m) => fs.existsSync(path.join(d, m)))) return d;
    if (path.dirname(d) === d) return undefined;
  }
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
  const inGit = gitRoot(options.cwd);
  // Outside git only a project directory is read (never a whole home or temp directory).
  const root = inGit ?? projectRoot(options.cwd);
  if (!root) {
    if (options.deployedRef) deployedBase(options.cwd, options.deployedRef); // throws the one-line git error
    return undefined;
  }
  const hint = MODEL_FILE_HINT.source;
  const current = workingTree(root, inGit !== undefined, globs, hint);
  // No model file in the working tree: no ORM to check (the deployed revision is not consulted).
  if (!current.paths().length) {
    if (options.deployedRef) deployedBase(options.cwd, options.deployedRef);
    return undefined;
  }
  const base = deployedBase(options.cwd, options.deployedRef);
  const deployed = base ? gitRevision(base.root, base.commit, `${base.ref} (deployed)`, hint, globs) : undefined;
  const revs = deployed ? [current, deployed] : [current];
  const schemaFiles = revs.some((r) => r.paths().some((p) => p.endsWith('.prisma')));
  // The TypeScript parser (~1 s to load) only when some file defines models in code.
  const codeModels = revs.some((r) => r.paths().some((p) => !p.endsWith('.prisma') && MODEL_DEFINITION_HINT.test(r.read(p) ?? '')));
  if (!schemaFiles && !codeModels) return undefined;
  // The readers are synchronous: the parsers they use are loaded here, each only when needed (the
  // Prisma schema parser for .prisma files; TypeScript and, for SQL in code, the PostgreSQL parser).
  if (schemaFiles) await loadPrismaAst();
  if (codeModels) await Promise.all([loadTypeScript(), initParser()]);
  const readers = codeModels ? MODEL_READERS : SCHEMA_FILE_READERS;
  const facts: ModelFacts = {
    deployed: deployed ? relativeRefs(readModels(deployed, readers), root, options.cwd) : undefined,
    current: relativeRefs(readModels(current, readers), root, options.cwd),
  };
  if (!base) facts.note = 'ORM model check: no deployed revision (not a git repository, or no upstream/main/master branch): the working tree stands in for the running code; pass --deployed-ref <ref>';
  return facts;
}
