/**
 * The layout is the pipeline: every import in src/ and rules/ must point down the layer table below,
 * rules see src/ only through the rule kit, and no module imports itself around a cycle. The import
 * graph comes from the TypeScript compiler's own pre-processor (static, dynamic and type imports).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.ts';

/**
 * Layers, lowest first. A module may import its own layer and any layer listed before it. The front
 * doors (trace, and the coming eslint and action) sit side by side: each may import everything
 * below, but not each other — they share code through options/, engine/ and front/ (the lint run). The cli program hosts
 * the trace subcommand, so it sits above them; src/index.ts is the library's entry point.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['src/util', 'src/meta.ts'], // leaf helpers and build metadata
  ['src/pg'], // PostgreSQL facts: data only
  ['src/findings'], // what a finding is (model, fix edits)
  ['src/source'], // files, formats, runners, lexer, text positions
  ['src/parse'], // the parser and AST access
  ['src/analyze'], // schema replay, session, effects, expressions
  ['src/analyze/models'], // ORM model readers: use the analyzer's schema, never the other way round
  ['src/kit'], // the rule API and its helpers
  ['src/advice'], // recipe builders shared by rules
  ['rules'], // the rules (behind the kit, see below)
  ['src/cache'], // analysis cache
  ['src/engine'], // analyzeSql, lintPaths, suppressions
  ['src/report'], // reporters and rule docs
  ['src/options'], // config, version detection, the options resolver
  ['src/stats'], // the production stats snapshot query and its collector (read by cli and trace)
  ['src/front'], // the lint run shared by the front doors (cli lint/baseline, the GitHub Action)
  ['src/trace', 'src/eslint', 'src/action'], // front doors, side by side
  ['src/cli', 'src/index.ts'], // the command line, the library entry
];

/** Rules may import only these modules of src/ (plus libpg-query's types). */
const KIT = 'src/kit/index.ts';
const ADVICE = 'src/advice/';

/** The layer of the longest listed folder that contains the file (src/analyze/models before src/analyze). */
function layerOf(file: string): { rank: number; group: string } {
  let best: { rank: number; group: string } | undefined;
  for (let rank = 0; rank < LAYERS.length; rank++) {
    for (const prefix of LAYERS[rank]) {
      if ((file === prefix || file.startsWith(`${prefix}/`)) && prefix.length > (best?.group.length ?? -1)) best = { rank, group: prefix };
    }
  }
  if (best) return best;
  throw new Error(`${file}: in no layer of test/architecture.test.ts — add its folder to LAYERS`);
}

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(ROOT, dir), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => `${dir}/${f.split(path.sep).join('/')}`);
}

interface Edge {
  from: string;
  to: string;
}

/** Internal imports (resolved to repository paths) and external ones, per file. */
function importGraph(): { files: string[]; edges: Edge[]; external: Edge[] } {
  const files = [...sources('src'), ...sources('rules')].sort();
  const edges: Edge[] = [];
  const external: Edge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, from), 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const spec = ref.fileName;
      if (!spec.startsWith('.')) {
        external.push({ from, to: spec });
        continue;
      }
      const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
      if (to.endsWith('.ts') || to.endsWith('.cjs')) edges.push({ from, to });
    }
  }
  return { files, edges, external };
}

const graph = importGraph();

describe('architecture', () => {
  it('reads a real graph (sanity: the engine imports the kit, the shared lint run imports the engine)', () => {
    expect(graph.files.length).toBeGreaterThan(80);
    expect(graph.edges).toContainEqual({ from: 'src/engine/engine.ts', to: 'src/kit/rule.ts' });
    expect(graph.edges).toContainEqual({ from: 'src/front/lint-run.ts', to: 'src/engine/lint.ts' });
  });

  it('every import follows the layer order', () => {
    const against = graph.edges
      .filter((e) => e.to.startsWith('src/') || e.to.startsWith('rules/'))
      .filter((e) => {
        const a = layerOf(e.from);
        const b = layerOf(e.to);
        return b.rank > a.rank || (b.rank === a.rank && b.group !== a.group);
      })
      .map((e) => `${e.from} → ${e.to}`);
    expect(against).toEqual([]);
  });

  it('rules import only the rule kit, the advice modules and libpg-query types, never each other', () => {
    const bad: string[] = [];
    for (const e of graph.edges) {
      if (!e.from.startsWith('rules/') || e.from === 'rules/index.ts') continue;
      if (e.to !== KIT && !e.to.startsWith(ADVICE)) bad.push(`${e.from} → ${e.to}`);
    }
    for (const e of graph.external) {
      if (e.from.startsWith('rules/') && e.to !== 'libpg-query') bad.push(`${e.from} → ${e.to}`);
    }
    // The registry lists the rules and nothing else.
    for (const e of graph.edges) {
      if (e.from === 'rules/index.ts' && !(e.to.startsWith('rules/') || e.to === KIT || e.to === 'src/kit/rule.ts')) bad.push(`${e.from} → ${e.to}`);
    }
    expect(bad).toEqual([]);
  });

  it('the ESLint plugin is an entry point of its own (dist/eslint-plugin.js): nothing outside src/eslint/ imports it', () => {
    expect(graph.edges.filter((e) => e.to.startsWith('src/eslint/') && !e.from.startsWith('src/eslint/')).map((e) => `${e.from} → ${e.to}`)).toEqual([]);
    expect(graph.edges).toContainEqual({ from: 'src/eslint/options.ts', to: 'src/options/resolve.ts' });
  });

  it('no import cycles', () => {
    const next = new Map<string, string[]>();
    for (const e of graph.edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string): void => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of next.get(f) ?? []) {
        if (state.get(t) === 'open') cycles.push([...stack.slice(stack.indexOf(t)), t].join(' → '));
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of graph.files) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});

/**
 * PostgreSQL versions are facts of src/pg (VERSION_FEATURES, SUPPORTED_PG_VERSIONS): rules and
 * advice compare against a named feature, never a literal major.
 */
describe('version facts only in the version table', () => {
  // A comparison with a literal 9–30 on a line that speaks of a version (pgVersion, versions, …).
  const RAW = /(?:[<>]=?|[!=]==)\s*(?:9|[12]\d|30)\b(?!\.\d)|\b(?:9|[12]\d|30)\s*(?:[<>]=?|[!=]==)/;
  const files = [...sources('rules'), ...sources('src/advice')];

  it('finds such a comparison when one is written (the check can fail)', () => {
    const line = 'if (ctx.pgVersion >= 12) return;';
    expect(RAW.test(line) && /version/i.test(line)).toBe(true);
    expect(RAW.test('if (ctx.pgVersion >= VERSION_FEATURES.reindexConcurrently) return;')).toBe(false);
  });

  it('rules/ and src/advice/ contain none', () => {
    const found: string[] = [];
    for (const f of files) {
      fs.readFileSync(path.join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = line.replace(/\/\/.*$/, '');
          if (/version/i.test(code) && RAW.test(code)) found.push(`${f}:${i + 1}: ${line.trim()}`);
        });
    }
    // Local stand-ins for a feature's version (const DO_COMMIT = 11) are raw versions as well.
    for (const f of files) {
      const m = /const\s+[A-Z_]+\s*=\s*(?:9|1\d)\s*;/.exec(fs.readFileSync(path.join(ROOT, f), 'utf8'));
      if (m) found.push(`${f}: ${m[0]}`);
    }
    expect(found).toEqual([]);
  });
});

/**
 * No god files: a module over ~500 lines holds more than one concern and is split by concern. Only
 * generated files are exempt. PENDING lists the files still over the limit with their size today as
 * a ceiling — debt that may only shrink (each entry is removed when its file is split).
 */
describe('file size', () => {
  const LIMIT = 500;
  /** Generated by scripts/gen-catalog (PostgreSQL's own catalog data), regenerated rather than edited. */
  const GENERATED = new Set(['src/pg/catalog.generated.ts']);
  const PENDING = new Map<string, number>([
    // The Extractor class walks a migration's statements as one recursive unit (TS AST → SQL).
    ['src/source/ts/extract.ts', 708],
  ]);
  const files = ['src', 'rules', 'scripts', 'test']
    .flatMap((dir) => fs.readdirSync(path.join(ROOT, dir), { recursive: true }).map((f) => `${dir}/${String(f).split(path.sep).join('/')}`))
    .filter((f) => /\.(ts|mjs|cjs|js)$/.test(f) && fs.statSync(path.join(ROOT, f)).isFile());
  const lines = (f: string): number => fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').length - 1;

  it('finds the files it measures (the check can fail)', () => {
    expect(files.length).toBeGreaterThan(150);
    expect(lines('src/pg/catalog.generated.ts')).toBeGreaterThan(LIMIT);
  });

  it(`no file over ${LIMIT} lines outside generated code; pending splits do not grow`, () => {
    const over = files.filter((f) => !GENERATED.has(f) && lines(f) > (PENDING.get(f) ?? LIMIT)).map((f) => `${f}: ${lines(f)} lines`);
    expect(over).toEqual([]);
    // A pending file that got split below the limit leaves the list.
    expect([...PENDING.keys()].filter((f) => lines(f) <= LIMIT)).toEqual([]);
  });
});
