/** Naming strategies shared by the readers: how a property name becomes a column name. */

/** snake_case as TypeORM's typeorm-naming-strategies, Drizzle `casing: 'snake_case'` and MikroORM's UnderscoreNamingStrategy spell it. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z\d])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z\d]+)/g, '$1_$2')
    .toLowerCase();
}

export function camelCase(name: string): string {
  return name.replace(/_+([a-z\d])/g, (_, c: string) => c.toUpperCase());
}

/** 1-based line and column of a string index. */
export function positionOf(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: index - lineStart + 1 };
}
