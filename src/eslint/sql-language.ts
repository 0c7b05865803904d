/**
 * `zerodown/postgres`: .sql files as an ESLint language (the languages API that @eslint/json and
 * @eslint/css use). The tree is deliberately shallow (a Program of statement spans and comments from
 * zerodown's own lexer): the rules do not walk it, they take the engine's findings for the file.
 * What ESLint needs from it are the comments, for `-- eslint-disable…` directives and `-- eslint`
 * inline rule configuration. `-- zerodown-ignore` is the engine's and works as in the CLI.
 */
import { ConfigCommentParser, Directive, TextSourceCodeBase } from '@eslint/plugin-kit';
import type { File, FileProblem, Language, OkParseResult, SourceLocation } from '@eslint/core';
import { lex } from '../source/lexer.ts';

export interface SqlNode {
  type: string;
  range: [number, number];
  loc: SourceLocation;
}

export interface SqlComment extends SqlNode {
  type: 'LineComment' | 'BlockComment';
  /** Text without the `--` or `/* *\/` markers (what ESLint's directive parser reads). */
  value: string;
}

export interface SqlProgram extends SqlNode {
  type: 'Program';
  body: SqlNode[];
  comments: SqlComment[];
}

/** Lines 1-based, columns 0-based (as ESLint's JavaScript language; `columnStart: 0`). */
function locator(text: string): (index: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (index) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: index - starts[lo] };
  };
}

export function parseSqlFile(text: string): SqlProgram {
  const at = locator(text);
  const node = <T extends string>(type: T, start: number, end: number): SqlNode & { type: T } => ({ type, range: [start, end], loc: { start: at(start), end: at(end) } });
  const lexed = lex(text);
  return {
    ...node('Program', 0, text.length),
    body: lexed.statements.map((s) => node('Statement', s.start, s.end)),
    comments: lexed.comments.map((c) => ({ ...node(c.kind === 'line' ? 'LineComment' : 'BlockComment', c.start, c.end), value: c.body })),
  };
}

const commentParser = new ConfigCommentParser();
const DIRECTIVE_LABELS = new Set(['eslint-disable', 'eslint-enable', 'eslint-disable-next-line', 'eslint-disable-line']);

export class SqlSourceCode extends TextSourceCodeBase<{
  LangOptions: Record<string, never>;
  RootNode: SqlProgram;
  SyntaxElementWithLoc: SqlNode;
  ConfigNode: SqlComment;
}> {
  readonly comments: SqlComment[];
  readonly visitorKeys = VISITOR_KEYS;
  #inline?: SqlComment[];

  constructor(text: string, ast: SqlProgram) {
    super({ text, ast });
    this.comments = ast.comments;
  }

  getInlineConfigNodes(): SqlComment[] {
    this.#inline ??= this.comments.filter((c) => /^\s*eslint(-disable|-enable|-disable-next-line|-disable-line)?(\s|$)/.test(c.value));
    return this.#inline;
  }

  getDisableDirectives(): { problems: FileProblem[]; directives: Directive[] } {
    const problems: FileProblem[] = [];
    const directives: Directive[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (!parsed || !DIRECTIVE_LABELS.has(parsed.label)) continue;
      if (parsed.label === 'eslint-disable-line' && comment.loc.start.line !== comment.loc.end.line) {
        problems.push({ ruleId: null, message: `${parsed.label} comment should not span multiple lines.`, loc: comment.loc });
        continue;
      }
      const type = parsed.label.slice('eslint-'.length) as 'disable' | 'enable' | 'disable-next-line' | 'disable-line';
      directives.push(new Directive({ type, node: comment, value: parsed.value, justification: parsed.justification }));
    }
    return { problems, directives };
  }

  applyInlineConfig(): { configs: { config: { rules: Record<string, unknown> }; loc: SourceLocation }[]; problems: FileProblem[] } {
    const configs: { config: { rules: Record<string, unknown> }; loc: SourceLocation }[] = [];
    const problems: FileProblem[] = [];
    for (const comment of this.getInlineConfigNodes()) {
      const parsed = commentParser.parseDirective(comment.value);
      if (parsed?.label !== 'eslint') continue;
      const result = commentParser.parseJSONLikeConfig(parsed.value);
      if (result.ok) configs.push({ config: { rules: result.config }, loc: comment.loc });
      else problems.push({ ruleId: null, message: result.error.message, loc: comment.loc });
    }
    return { configs, problems };
  }

  override *traverse(): Iterable<{ kind: 1; target: SqlNode; phase: 1 | 2; args: [SqlNode, SqlNode | undefined] }> {
    const root = this.ast;
    yield { kind: 1, target: root, phase: 1, args: [root, undefined] };
    for (const s of root.body) {
      yield { kind: 1, target: s, phase: 1, args: [s, root] };
      yield { kind: 1, target: s, phase: 2, args: [s, root] };
    }
    yield { kind: 1, target: root, phase: 2, args: [root, undefined] };
  }
}

const VISITOR_KEYS: Record<string, string[]> = { Program: ['body'], Statement: [] };

function fileText(file: File): string {
  return typeof file.body === 'string' ? file.body : new TextDecoder().decode(file.body);
}

export const postgresLanguage: Language = {
  fileType: 'text',
  lineStart: 1,
  columnStart: 0,
  nodeTypeKey: 'type',
  visitorKeys: VISITOR_KEYS,
  validateLanguageOptions(): void {
    // No language options: what the engine needs comes from zerodown.config.* and settings.zerodown.
  },
  // Never fails: a statement PostgreSQL cannot parse is the engine's `parse-error` finding, exactly as in the CLI.
  parse(file: File): OkParseResult<SqlProgram> {
    return { ok: true, ast: parseSqlFile(fileText(file)) };
  },
  createSourceCode(file: File, input: OkParseResult<SqlProgram>): SqlSourceCode {
    return new SqlSourceCode(fileText(file), input.ast);
  },
} as Language;
