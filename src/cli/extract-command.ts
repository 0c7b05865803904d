/** The `extract` subcommand's option handling (kept apart from cli.ts). */
import { loadConfig } from '../options/config.ts';
import { RUNNER_IDS, type RunnerId } from '../source/runners.ts';
import type { Rule } from '../kit/rule.ts';
import { extract } from './extract.ts';

type Values = Record<string, string | boolean | string[] | undefined>;

export async function extractCommand(values: Values, positionals: string[], rules: readonly Rule[]): Promise<number> {
  const cwd = process.cwd();
  const { config } = await loadConfig(cwd, values.config as string | undefined, rules.map((r) => r.id));
  const format = (values.format as string | undefined) ?? 'json';
  if (format !== 'json') {
    process.stderr.write(`zerodown: extract: --format must be json (got "${format}")\n`);
    return 2;
  }
  const runnerFlag = values.runner as string | undefined;
  if (runnerFlag !== undefined && !(RUNNER_IDS as readonly string[]).includes(runnerFlag)) {
    process.stderr.write(`zerodown: --runner: unknown value "${runnerFlag}"; expected one of ${RUNNER_IDS.join(', ')}\n`);
    return 2;
  }
  const { json, errors } = await extract(positionals.length ? positionals : ['.'], {
    cwd,
    runner: (runnerFlag as RunnerId | undefined) ?? config.runner ?? null,
    include: config.include,
    exclude: config.exclude,
    down: values.down === 'same' || values.down === 'warning',
    targets: config.embeddedSql?.targets,
  });
  process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  for (const e of errors) process.stderr.write(`zerodown: ${e}\n`);
  return errors.length ? 2 : 0;
}
