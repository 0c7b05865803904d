/**
 * The configuration schema (zod) and its validation. Loaded only when a config file exists: zod is
 * most of the CLI bundle's code, and a run without configuration should not pay for it.
 */
import { z } from 'zod';
import { RUNNER_IDS } from '../source/runners.ts';
import { NEWEST_PG_VERSION, OLDEST_PG_VERSION, SUPPORTED_RANGE } from '../pg/versions.ts';
import { FORMATS } from '../source/formats.ts';
import { didYouMean } from '../util/did-you-mean.ts';

const duration = z.union([z.number().int().min(0), z.string().regex(/^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/i, 'a duration such as "2s", "500ms" or 0')]);

export const configSchema = z
  .object({
    $schema: z.string().optional(),
    preset: z.enum(['recommended', 'strict']).optional().describe('Rule preset: "recommended" (default) or "strict" (adds design rules).'),
    postgresVersion: z
      .number()
      .int()
      .min(OLDEST_PG_VERSION, `a PostgreSQL major version from ${SUPPORTED_RANGE}`)
      .max(NEWEST_PG_VERSION, `a PostgreSQL major version from ${SUPPORTED_RANGE}`)
      .optional()
      .describe('Target PostgreSQL major version (default: detected from the repository, else 15).'),
    runner: z.enum(RUNNER_IDS).optional().describe('Migration runner: sets whether each file runs in a transaction.'),
    migrationFormat: z.enum(FORMATS).optional().describe('Force the migration file format instead of detecting it.'),
    rules: z.record(z.string(), z.enum(['off', 'warn', 'warning', 'error'])).optional().describe('Severity per rule id.'),
    include: z.array(z.string()).optional().describe('Globs of migration files to lint when a directory is given.'),
    exclude: z.array(z.string()).optional().describe('Globs of files to skip.'),
    assumeInTransaction: z.boolean().optional().describe("Override the runner's transaction default for every file."),
    lockTimeout: duration.optional().describe('lock_timeout in force before the file runs (role or database setting), e.g. "2s"; 0 = none.'),
    statementTimeout: duration.optional().describe('statement_timeout in force before the file runs.'),
    timeZone: z.string().min(1).optional().describe('The TimeZone setting in force before the file runs (server, database or role setting), e.g. "UTC": decides whether timestamp ↔ timestamptz rewrites the table. SET TIME ZONE in the file overrides it.'),
    down: z.enum(['same', 'warning', 'off']).optional().describe('Severity of findings in down migrations.'),
    embeddedSql: z
      .object({
        targets: z
          .array(
            z
              .object({
                tag: z.string().optional().describe('A template tag whose templates are SQL, e.g. "sql".'),
                call: z.string().optional().describe('A call path whose argument is SQL, e.g. "db.query" ("*.query": any receiver).'),
                argument: z.number().int().min(0).optional().describe('Which argument holds the SQL (default 0).'),
              })
              .strict(),
          )
          .optional(),
      })
      .strict()
      .optional()
      .describe('TS/JS migrations: SQL sinks the runner presets do not know.'),
    models: z
      .union([z.array(z.string()), z.literal(false)])
      .optional()
      .describe('ORM model check: globs of model files (schema.prisma, entities, Drizzle tables), relative to the repository root; default: every schema.prisma and source file outside node_modules/build output; false turns the check off.'),
    deployedRef: z.string().optional().describe('The git ref that stands for the deployed revision (default: @{upstream}, origin/HEAD, origin/main, origin/master, main, master); the ORM model check reads the models at its merge-base with HEAD.'),
    statsFile: z.string().optional().describe('Production stats snapshot written by `zerodown stats` (sizes every lock hazard; enables drop-index-still-used).'),
    smallTableRows: z.number().int().min(0).optional().describe('Below this many rows in the stats snapshot, a lock hazard is a warning instead of an error (default 10000).'),
    statsMaxAgeDays: z.number().int().min(1).optional().describe('A stats snapshot older than this many days is reported as stale (default 30).'),
    statsThroughputMBps: z
      .object({ scan: z.number().positive().optional(), rewrite: z.number().positive().optional(), indexBuild: z.number().positive().optional() })
      .strict()
      .optional()
      .describe('Throughput assumed when estimating how long a lock is held, in MB/s (defaults: scan 200, rewrite 50, indexBuild 25).'),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;

/**
 * Validates raw config: the config, or one line per problem. It returns rather than throws so that
 * this module (bundled apart from the CLI, see scripts/build.mjs) shares no classes with it.
 */
export function checkConfig(raw: unknown, filepath: string, ruleIds: readonly string[]): { config: Config } | { problems: string } {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = issue.path.join('.') || '(root)';
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => {
          const hint = didYouMean(k, Object.keys(configSchema.shape));
          return hint ? `"${k}" (did you mean "${hint}"?)` : `"${k}"`;
        });
        return `${filepath}: unknown option ${keys.join(', ')}`;
      }
      return `${filepath}: ${where}: ${issue.message}`;
    });
    return { problems: lines.join('\n') };
  }
  for (const id of Object.keys(parsed.data.rules ?? {})) {
    if (!ruleIds.includes(id)) {
      const hint = didYouMean(id, ruleIds);
      return { problems: `${filepath}: rules: unknown rule "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; run \`zerodown rules\` for the list` };
    }
  }
  return { config: parsed.data };
}

/** The JSON Schema published for editor completion (schema/zerodown.schema.json). */
export function configJsonSchema(): unknown {
  return {
    ...(z.toJSONSchema(configSchema) as Record<string, unknown>),
    $id: 'https://zerodown.dev/schema/zerodown.schema.json',
    title: 'zerodown configuration',
  };
}
