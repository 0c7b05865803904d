/**
 * Entry of the CLI bundle (dist/main.cjs), loaded by dist/cli.cjs. `run` starts the parser first;
 * after a run that linted, it writes the V8 code cache for the running V8 when there was none.
 */
import type { Script } from 'node:vm';
import { main } from './cli.ts';
import { initParser } from '../parse/parser.ts';
import { parserUsed } from '../parse/pg-wasm.ts';
import { mark } from '../util/timing.ts';
import { writeCodeCache, type CodeCacheState } from './code-cache.ts';

export function run(script?: Script, cache?: CodeCacheState): void {
  // Overlaps the WASM compile with config search, discovery and file reads.
  mark(`bundle loaded (code cache: ${cache?.state ?? 'none'})`);
  initParser().then(() => mark('parser loaded'), () => undefined);
  main(process.argv.slice(2)).then(
    (code) => {
      // A cache written after a lint holds the functions a lint compiles (a --help run would not).
      if (script && cache && cache.state !== 'accepted' && code <= 1 && parserUsed()) writeCodeCache(script, cache.file);
      // Exit as soon as the output is flushed: the WASM runtime and worker pools may otherwise keep
      // the event loop alive for a while after the work is done.
      process.exitCode = code;
      process.stdout.write('', () => process.exit(code));
    },
    (e: unknown) => {
      process.stderr.write(`zerodown: internal error: ${(e as Error).message}\n`);
      process.exitCode = 2;
    },
  );
}
