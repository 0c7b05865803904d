/**
 * Entry of the CLI bundle (dist/main.cjs), loaded by dist/cli.cjs. `run` starts the parser first;
 * with ZERODOWN_WRITE_CODE_CACHE set (the build does this), it writes the V8 code cache after a run.
 */
import fs from 'node:fs';
import type { Script } from 'node:vm';
import { main } from './cli.ts';
import { initParser } from '../parse/parser.ts';
import { mark } from '../util/timing.ts';

export function run(script?: Script): void {
  // Overlaps the WASM compile with config search, discovery and file reads.
  mark('bundle loaded');
  initParser().then(() => mark('parser loaded'), () => undefined);
  main(process.argv.slice(2)).then(
    (code) => {
      const cacheFile = process.env.ZERODOWN_WRITE_CODE_CACHE;
      if (cacheFile && script) fs.writeFileSync(cacheFile, script.createCachedData());
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
