import { main } from './cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`zerodown: internal error: ${(e as Error).message}\n`);
    process.exitCode = 2;
  },
);
