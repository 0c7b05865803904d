/**
 * The ORM model check's shared vocabulary: what a model reader returns for one revision of the
 * application code. Readers are static (they never import or run user code); each ORM has its own
 * module in this folder and returns plain data in these shapes, so the check that compares the
 * deployed revision with the working tree does not know which ORM a column came from.
 */

export type OrmKind = 'prisma' | 'typeorm' | 'drizzle' | 'sequelize' | 'mikro-orm' | 'kysely' | 'raw-sql';

/** A place in the application code: repository-relative POSIX path, 1-based line and UTF-16 column. */
export interface SourceRef {
  path: string;
  line: number;
  column: number;
}

/**
 * exact: the ORM's rules give this database name for certain (an explicit name, or a naming
 * strategy read from the project's configuration). probable: the name is one of the exact /
 * snake_case / camelCase spellings because the naming strategy could not be known statically,
 * or the reference is raw SQL / a query builder call in application code.
 */
export type Certainty = 'exact' | 'probable';

/** Markers that keep the ORM from reading or writing a mapped column (Prisma @ignore, TypeORM select: false, …). */
export type ColumnMarker = 'ignored' | 'no-select' | 'no-insert' | 'no-update';

export interface ModelColumn {
  /** Database column name as the ORM sends it (after @map / name: / field: / naming strategy). */
  column: string;
  /** The property / field name in the code (`legacyName`). */
  field: string;
  ref: SourceRef;
  certainty: Certainty;
  /** Markers present on the field; an empty list means the ORM reads and writes the column. */
  markers: ColumnMarker[];
}

export interface ModelTable {
  orm: OrmKind;
  /** Model / entity / interface name in the code (`User`). */
  model: string;
  /** Database schema when the model names one (`@@schema`, pgSchema(), `schema:`); undefined = the search path. */
  schema?: string;
  /** Database table name as the ORM sends it. */
  table: string;
  ref: SourceRef;
  certainty: Certainty;
  /** The whole model is ignored by the ORM (Prisma @@ignore): it maps nothing at run time. */
  ignored?: boolean;
  columns: ModelColumn[];
}

/** The application code of one revision, as a read-only file system. */
export interface RevisionFiles {
  /** Shown to users: `origin/main (deployed)`, `working tree`. */
  label: string;
  /** Repository-relative POSIX paths of every tracked (or, for the working tree, present and not ignored) file. */
  paths(): readonly string[];
  /** File text, or undefined when the file does not exist at this revision or is not text. */
  read(path: string): string | undefined;
}

export interface ModelReadResult {
  tables: ModelTable[];
  /** Files that looked like models but could not be read, with a one-line reason (never a crash). */
  problems: { ref: SourceRef; message: string }[];
}

/** One ORM's reader. `read` picks its own files from the revision (schema.prisma, *.entity.ts, …). */
export interface ModelReader {
  orm: OrmKind;
  read(files: RevisionFiles): ModelReadResult;
}
