/**
 * Monorepos: the configuration file nearest to a migrations directory governs it, so one run over
 * several packages lints each with its own runner, PostgreSQL version and rule settings. Without
 * --config only; a directory whose nearest file is the working directory's, or that has none, uses
 * the run's options.
 */
import path from 'node:path';
import type { LintOptions } from '../engine/lint.ts';
import { loadConfig, type Config } from '../options/config.ts';

export function nearestConfigOptions(
  runConfig: string | null,
  runOptions: LintOptions,
  build: (config: Config, dir: string) => LintOptions,
  ruleIds: readonly string[],
): (root: string) => Promise<LintOptions> {
  const byFile = new Map<string | null, LintOptions>([[runConfig, runOptions]]);
  return async (root) => {
    const { config, filepath } = await loadConfig(root, undefined, ruleIds, process.cwd());
    // No configuration above the directory (it lies outside the working directory's tree): the run's.
    if (filepath === null) return runOptions;
    let options = byFile.get(filepath);
    if (!options) {
      // The version is detected from the configuration's own package (its compose file, CI workflow).
      options = { ...build(config, filepath ? path.dirname(filepath) : root), cache: runOptions.cache };
      byFile.set(filepath, options);
    }
    return options;
  };
}
