/**
 * Hand-written SQL in application code: string literals, templates (tagged `sql\`…\`` or plain) and
 * `+` concatenations of them, in script files outside migration, seed and test folders, whose text
 * starts like a query (SELECT / INSERT / UPDATE / DELETE / WITH). Each is parsed with the project's
 * PostgreSQL parser (template substitutions become `$n` parameters; a text that does not parse is
 * skipped); the tables it names and the columns it uses become `probable` references, one
 * ModelTable per file and table. Unqualified columns in a statement over several tables are
 * attributed to each of them: the statement probably uses the column whichever table has it.
 * The caller loads the parser (`await initParser()`) and the compiler (`await loadTypeScript()`).
 */
import type * as TS from 'typescript';
import { parseRegion } from '../../parse/parser.ts';
import { walk } from '../../parse/ast.ts';
import { typescript, type TypeScript } from '../../source/ts/typescript.ts';
import { scriptFile, scriptPaths, type ScriptFile } from './script-files.ts';
import type { ModelColumn, ModelReader, ModelReadResult, ModelTable, RevisionFiles, SourceRef } from './types.ts';

const QUERY_START = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*\(?\s*(select|insert|update|delete|with)\b/i;
const MENTIONS_SQL = /\b(select|insert|update|delete)\b/i;

/** SQL text built from source pieces, remembering where each piece came from for positions. */
interface SqlText {
  text: string;
  /** [sqlIndex, sourceIndex] at the start of each verbatim piece; -1 source = not verbatim. */
  pieces: [number, number][];
  node: TS.Node;
}

export const rawSqlReader: ModelReader = {
  orm: 'raw-sql',
  read(files: RevisionFiles): ModelReadResult {
    const ts = typescript();
    const result: ModelReadResult = { tables: [], problems: [] };
    for (const path of scriptPaths(files)) {
      const text = files.read(path);
      if (text === undefined || !MENTIONS_SQL.test(text)) continue;
      try {
        const file = scriptFile(files, path, text);
        result.tables.push(...readFile(ts, file));
      } catch (e) {
        result.problems.push({ ref: { path, line: 1, column: 1 }, message: `SQL in application code not read: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    return result;
  },
};

function readFile(ts: TypeScript, file: ScriptFile): ModelTable[] {
  const tables = new Map<string, ModelTable>();
  for (const sql of sqlTexts(ts, file)) {
    for (const use of usesIn(sql.text)) {
      const key = `${use.schema ?? ''}.${use.table}`;
      let t = tables.get(key);
      if (!t) {
        t = { orm: 'raw-sql', model: `SQL in ${file.path}`, schema: use.schema, table: use.table, ref: position(file, sql, use.tableAt), certainty: 'probable', columns: [] };
        tables.set(key, t);
      }
      for (const c of use.columns) {
        if (t.columns.some((x) => x.column === c.name)) continue;
        const col: ModelColumn = { column: c.name, field: c.name, ref: position(file, sql, c.at), certainty: 'probable', markers: [] };
        t.columns.push(col);
      }
    }
  }
  return [...tables.values()];
}

/** Source position of an index in the SQL text: exact inside verbatim pieces, else the literal's start. */
function position(file: ScriptFile, sql: SqlText, index: number): SourceRef {
  let at = sql.node.getStart(file.sf);
  for (const [sqlStart, srcStart] of sql.pieces) {
    if (sqlStart > index) break;
    at = srcStart < 0 ? sql.node.getStart(file.sf) : srcStart + (index - sqlStart);
  }
  const pos = file.sf.getLineAndCharacterOfPosition(at);
  return { path: file.path, line: pos.line + 1, column: pos.character + 1 };
}

/** Query-looking string expressions of a file, outermost first (a concatenation is read once, whole). */
function sqlTexts(ts: TypeScript, file: ScriptFile): SqlText[] {
  const out: SqlText[] = [];
  const visit = (node: TS.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const built = fold(ts, file, node);
      if (built && QUERY_START.test(built.text)) {
        out.push(built);
        return;
      }
    } else if (ts.isStringLiteralLike(node) || ts.isTemplateExpression(node)) {
      const built = fold(ts, file, node);
      if (built && QUERY_START.test(built.text)) out.push(built);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file.sf);
  return out;
}

/** Builds the SQL text of a literal, template or `+` chain; other operands become `$n` parameters. */
function fold(ts: TypeScript, file: ScriptFile, root: TS.Expression): SqlText | undefined {
  const sql: SqlText = { text: '', pieces: [], node: root };
  let params = 0;
  let literal = false;
  // A piece whose source has escapes (\n, \') is not verbatim: its positions fall back to the literal's start.
  const verbatim = (cooked: string, rawStart: number, rawText: string): void => {
    sql.pieces.push([sql.text.length, rawText === cooked ? rawStart : -1]);
    sql.text += cooked;
    literal = true;
  };
  const param = (): void => {
    sql.pieces.push([sql.text.length, -1]);
    sql.text += `$${++params}`;
  };
  const src = file.text;
  const add = (e: TS.Expression): void => {
    if (ts.isParenthesizedExpression(e)) return add(e.expression);
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      add(e.left);
      add(e.right);
    } else if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      const start = e.getStart(file.sf) + 1;
      verbatim(e.text, start, src.slice(start, e.end - 1));
    } else if (ts.isTemplateExpression(e)) {
      const headStart = e.head.getStart(file.sf) + 1;
      verbatim(e.head.text, headStart, src.slice(headStart, e.head.end - 2));
      for (const span of e.templateSpans) {
        param();
        const lit = span.literal;
        const litStart = lit.getStart(file.sf) + 1;
        const litEnd = ts.isTemplateTail(lit) ? lit.end - 1 : lit.end - 2;
        verbatim(lit.text, litStart, src.slice(litStart, litEnd));
      }
    } else param();
  };
  add(root);
  return literal ? sql : undefined;
}

interface Use {
  schema?: string;
  table: string;
  tableAt: number;
  columns: { name: string; at: number }[];
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

function sval(v: unknown): string | undefined {
  const s = isObj(v) ? (v.String as Obj | undefined) : undefined;
  return typeof s?.sval === 'string' ? s.sval : undefined;
}

/** Tables and columns each parsed statement uses. */
function usesIn(text: string): Use[] {
  const parsed = parseRegion(text);
  const out: Use[] = [];
  for (const st of parsed.statements) {
    const ctes = new Set<string>();
    const outputNames = new Set<string>();
    const rels: { schema?: string; table: string; alias?: string; at: number }[] = [];
    const refs: { fields: string[]; at: number }[] = [];
    const targets: { rel: Obj; name: string; at: number }[] = [];
    const addRel = (rv: Obj): void => {
      if (typeof rv.relname !== 'string') return;
      const alias = isObj(rv.alias) && typeof rv.alias.aliasname === 'string' ? rv.alias.aliasname : undefined;
      rels.push({ schema: typeof rv.schemaname === 'string' ? rv.schemaname : undefined, table: rv.relname, alias, at: st.toIndex(typeof rv.location === 'number' ? rv.location : 0) });
    };
    walk(st.node, (key, node) => {
      if (key === 'CommonTableExpr' && typeof node.ctename === 'string') ctes.add(node.ctename);
      if (key === 'RangeVar') addRel(node);
      if (key === 'InsertStmt' || key === 'UpdateStmt' || key === 'DeleteStmt' || key === 'MergeStmt') {
        const rel = node.relation;
        if (isObj(rel)) {
          addRel(rel);
          // INSERT INTO t (a, b) and UPDATE t SET a = …: the target names are columns of t.
          const list = key === 'InsertStmt' ? node.cols : key === 'UpdateStmt' ? node.targetList : undefined;
          for (const item of Array.isArray(list) ? list : []) {
            const rt = isObj(item) ? (item.ResTarget as Obj | undefined) : undefined;
            if (rt && typeof rt.name === 'string') targets.push({ rel, name: rt.name, at: st.toIndex(typeof rt.location === 'number' ? rt.location : 0) });
          }
        }
      }
      if (key === 'SelectStmt' && Array.isArray(node.targetList)) {
        for (const item of node.targetList) {
          const rt = isObj(item) ? (item.ResTarget as Obj | undefined) : undefined;
          if (rt && typeof rt.name === 'string') outputNames.add(rt.name);
        }
      }
      if (key === 'ColumnRef' && Array.isArray(node.fields)) {
        const fields = node.fields.map(sval);
        if (fields.every((f): f is string => f !== undefined)) refs.push({ fields, at: st.toIndex(typeof node.location === 'number' ? node.location : 0) });
      }
      return true;
    });
    const tables = rels.filter((r) => r.schema !== undefined || !ctes.has(r.table));
    const uses = new Map<string, Use>();
    const useOf = (r: { schema?: string; table: string; at: number }): Use => {
      const k = `${r.schema ?? ''}.${r.table}`;
      let u = uses.get(k);
      if (!u) uses.set(k, (u = { schema: r.schema, table: r.table, tableAt: r.at, columns: [] }));
      return u;
    };
    for (const r of tables) useOf(r);
    for (const t of targets) {
      const rel = tables.find((r) => r.table === t.rel.relname && r.schema === (typeof t.rel.schemaname === 'string' ? t.rel.schemaname : undefined));
      if (rel) useOf(rel).columns.push({ name: t.name, at: t.at });
    }
    for (const ref of refs) {
      const col = ref.fields[ref.fields.length - 1];
      if (ref.fields.length === 1) {
        if (outputNames.has(col)) continue;
        for (const r of tables) useOf(r).columns.push({ name: col, at: ref.at });
      } else {
        const qual = ref.fields[ref.fields.length - 2];
        const schema = ref.fields.length >= 3 ? ref.fields[ref.fields.length - 3] : undefined;
        const r = tables.find((x) => (x.alias ?? x.table) === qual && (schema === undefined || x.schema === schema)) ?? tables.find((x) => x.table === qual && (schema === undefined || x.schema === schema));
        if (r) useOf(r).columns.push({ name: col, at: ref.at });
      }
    }
    out.push(...uses.values());
  }
  return out;
}
