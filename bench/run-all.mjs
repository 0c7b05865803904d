// npm run bench: every case, printed as one report (docs/performance.md quotes it).
import os from 'node:os';
import cold from './cold-single.mjs';
import corpus from './corpus.mjs';
import history from './history.mjs';
import large from './large-file.mjs';
import rerun from './rerun.mjs';
import tsMigrations from './ts-migrations.mjs';

console.log(`# zerodown benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
await cold();
await corpus(['compact', 'json', 'sarif']);
await large();
await history();
await rerun();
await tsMigrations();
