/**
 * The PostgreSQL version a repository declares: a postgres image in docker-compose or CI workflows,
 * or .tool-versions. Searched upward from the working directory to the repository root.
 */
import fs from 'node:fs';
import path from 'node:path';
import { upwardDirs } from '../util/find-up.ts';
import { OLDEST_PG_VERSION } from '../pg/versions.ts';

const IMAGE = /image:\s*["']?(?:[\w./-]*\/)?(?:postgres|postgis\/postgis|timescale\/timescaledb(?:-ha)?|pgvector\/pgvector|supabase\/postgres)\s*:\s*["']?(?:pg)?(\d{2}|9\.\d)/i;
const TOOL_VERSIONS = /^postgres(?:ql)?\s+(\d{2})/im;

function candidates(dir: string): string[] {
  const out: string[] = [];
  for (const name of ['docker-compose.yml', 'docker-compose.yaml', 'compose.yml', 'compose.yaml', 'docker-compose.dev.yml', 'docker-compose.test.yml', '.tool-versions']) {
    out.push(path.join(dir, name));
  }
  const wf = path.join(dir, '.github', 'workflows');
  try {
    for (const f of fs.readdirSync(wf).sort()) if (/\.ya?ml$/.test(f)) out.push(path.join(wf, f));
  } catch {
    // no workflows
  }
  return out;
}

export interface DetectedVersion {
  version: number;
  source: string;
}

export function detectPgVersion(startDir: string): DetectedVersion | undefined {
  for (const dir of upwardDirs(startDir, { stopAtRepoRoot: true, maxDepth: 12 })) {
    for (const file of candidates(dir)) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const m = path.basename(file) === '.tool-versions' ? TOOL_VERSIONS.exec(text) : IMAGE.exec(text);
      if (m) {
        const version = Math.floor(Number(m[1]));
        if (version >= 9 && version <= 30) {
          const line = text.slice(0, m.index).split('\n').length;
          return { version: Math.max(version, OLDEST_PG_VERSION), source: `${path.relative(startDir, file) || file}:${line}: ${m[0].trim()}` };
        }
      }
    }
  }
  return undefined;
}
