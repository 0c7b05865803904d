/** The `extract` subcommand's option handling (kept apart from cli.ts). */
import { loadConfig } from '../options/config.ts';
import { resolveOptions } from '../options/resolve.ts';
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
  // The runner, include/exclude and embedded-SQL targets mean what they mean for lint (the one resolver).
  const r = resolveOptions({ flags: { runner: values.runner as string | undefined }, config, cwd, env: process.env, rules });
  if (r.problems) {
    for (const p of r.problems) process.stderr.write(`zerodown: ${p}\n`);
    return 2;
  }
  const { json, errors } = await extract(positionals.length ? positionals : ['.'], {
    cwd,
    runner: r.options.engine.runner,
    include: r.options.include,
    exclude: r.options.exclude,
    down: values.down === 'same' || values.down === 'warning',
    targets: r.options.embeddedTargets,
  });
  process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  for (const e of errors) process.stderr.write(`zerodown: ${e}\n`);
  return errors.length ? 2 : 0;
}
