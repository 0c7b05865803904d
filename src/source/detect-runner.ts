/**
 * Which migration runner a repository uses, from its marker files (see docs/runners.md), for
 * plain .sql files whose name and content do not say.
 */
import fs from 'node:fs';
import path from 'node:path';
import { upwardDirs } from '../util/find-up.ts';
import type { RunnerId } from './runners.ts';

const FILE_MARKERS: [string, RunnerId][] = [
  ['migration_lock.toml', 'prisma'],
  ['drizzle.config.ts', 'drizzle'],
  ['drizzle.config.js', 'drizzle'],
  ['drizzle.config.mjs', 'drizzle'],
  ['drizzle.config.json', 'drizzle'],
  ['diesel.toml', 'diesel'],
  ['sqitch.plan', 'sqitch'],
  ['flyway.conf', 'flyway'],
  ['flyway.toml', 'flyway'],
  ['.node-pg-migraterc', 'node-pg-migrate'],
  ['knexfile.js', 'knex'],
  ['knexfile.ts', 'knex'],
  ['.sequelizerc', 'sequelize'],
  ['kysely.config.ts', 'kysely'],
];

const GO_MODULES: [string, RunnerId][] = [
  ['github.com/golang-migrate/migrate', 'golang-migrate'],
  ['github.com/pressly/goose', 'goose'],
  ['github.com/ory/x', 'popx'],
  ['github.com/gobuffalo/pop', 'popx'],
  ['github.com/amacneil/dbmate', 'dbmate'],
];

const NPM_PACKAGES: [string, RunnerId][] = [
  ['node-pg-migrate', 'node-pg-migrate'],
  ['prisma', 'prisma'],
  ['drizzle-kit', 'drizzle'],
  ['typeorm', 'typeorm'],
  ['knex', 'knex'],
  ['kysely', 'kysely'],
  ['sequelize', 'sequelize'],
  ['dbmate', 'dbmate'],
];

export interface DetectedRunner {
  runner: RunnerId;
  source: string;
}

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function detectRunner(startDir: string): DetectedRunner | undefined {
  for (const dir of upwardDirs(startDir, { stopAtRepoRoot: true, maxDepth: 12 })) {
    for (const [name, runner] of FILE_MARKERS) {
      if (fs.existsSync(path.join(dir, name))) return { runner, source: path.join(dir, name) };
    }
    const gomod = read(path.join(dir, 'go.mod'));
    if (gomod) for (const [mod, runner] of GO_MODULES) if (gomod.includes(mod)) return { runner, source: `${path.join(dir, 'go.mod')}: ${mod}` };
    const pkg = read(path.join(dir, 'package.json'));
    if (pkg) {
      try {
        const json = JSON.parse(pkg) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
        const deps = { ...json.dependencies, ...json.devDependencies };
        for (const [name, runner] of NPM_PACKAGES) if (name in deps) return { runner, source: `${path.join(dir, 'package.json')}: ${name}` };
      } catch {
        // not our problem: an invalid package.json elsewhere
      }
    }
  }
  return undefined;
}
