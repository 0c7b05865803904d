/**
 * What a server trace refuses to run, decided from the parse tree before anything runs: statements
 * that reach beyond the scratch database into the shared catalogs of the whole server (roles and
 * memberships, databases, tablespaces, server settings, subscriptions, parameter privileges) or load
 * code into the server. DO and function bodies are walked too (the engine expands them into
 * statements), so `DO $$ BEGIN CREATE ROLE … END $$` is refused like a top-level CREATE ROLE.
 *
 * This is the first of two walls: dynamic SQL (EXECUTE of a computed string) cannot be seen here, so
 * the migration also runs as a temporary role that owns only the scratch database and has neither
 * superuser nor CREATEROLE nor CREATEDB (src/trace/db.ts): PostgreSQL itself refuses the rest.
 * Shared catalogs: https://www.postgresql.org/docs/current/catalogs-overview.html ("shared across all
 * databases of a cluster": pg_authid, pg_auth_members, pg_database, pg_db_role_setting,
 * pg_tablespace, pg_shdescription, pg_shseclabel, pg_parameter_acl, pg_subscription …).
 */
import type { Node } from 'libpg-query';
import { as, nodeKind } from '../parse/ast.ts';
import type { RawStatement } from '../parse/parser.ts';
import type { StatementInfo } from '../kit/rule.ts';

/** Statement kinds that always act on the whole server. */
const SERVER_WIDE: Readonly<Record<string, string>> = {
  CreateRoleStmt: 'CREATE ROLE/USER/GROUP',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE … SET',
  DropRoleStmt: 'DROP ROLE',
  GrantRoleStmt: 'GRANT/REVOKE role membership',
  ReassignOwnedStmt: 'REASSIGN OWNED',
  CreatedbStmt: 'CREATE DATABASE',
  DropdbStmt: 'DROP DATABASE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE … SET',
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE … REFRESH COLLATION VERSION',
  AlterSystemStmt: 'ALTER SYSTEM',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
  LoadStmt: 'LOAD (a shared library)',
  CheckPointStmt: 'CHECKPOINT',
};

/** Object types that live in shared catalogs, for GRANT, COMMENT, SECURITY LABEL, RENAME and OWNER TO. */
const SHARED_OBJECTS: Readonly<Record<string, string>> = {
  OBJECT_DATABASE: 'DATABASE',
  OBJECT_ROLE: 'ROLE',
  OBJECT_TABLESPACE: 'TABLESPACE',
  OBJECT_PARAMETER_ACL: 'PARAMETER',
  OBJECT_SUBSCRIPTION: 'SUBSCRIPTION',
};

/** Why `node` reaches beyond the scratch database, or undefined. */
export function serverWide(node: Node): string | undefined {
  const kind = nodeKind(node);
  const fixed = SERVER_WIDE[kind];
  if (fixed) return fixed;
  const shared = (objtype: string | undefined, verb: string): string | undefined => {
    const what = objtype ? SHARED_OBJECTS[objtype] : undefined;
    return what ? `${verb} ${what}` : undefined;
  };
  switch (kind) {
    case 'GrantStmt': {
      const g = as(node, 'GrantStmt');
      return shared(g?.objtype, g?.is_grant ? 'GRANT … ON' : 'REVOKE … ON');
    }
    case 'CommentStmt':
      return shared(as(node, 'CommentStmt')?.objtype, 'COMMENT ON');
    case 'SecLabelStmt':
      return shared(as(node, 'SecLabelStmt')?.objtype, 'SECURITY LABEL ON');
    case 'RenameStmt':
      return shared(as(node, 'RenameStmt')?.renameType, 'ALTER … RENAME of a');
    case 'AlterOwnerStmt':
      return shared(as(node, 'AlterOwnerStmt')?.objectType, 'ALTER … OWNER TO of a');
    default:
      return undefined;
  }
}

/**
 * The refusal message for a top-level statement, or undefined when it may run: every statement in
 * it (itself and those in its DO or function body) that would act on the whole server is named.
 * `bodiesUnknown`: the analyzer failed on the file, so DO and function bodies could not be walked.
 */
export function refusal(raw: RawStatement, nested: readonly StatementInfo[], bodiesUnknown: boolean): string | undefined {
  const reasons: string[] = [];
  const own = serverWide(raw.node);
  if (own) reasons.push(own);
  for (const s of nested) {
    const r = serverWide(s.node);
    if (r) reasons.push(`${r} (inside the ${s.origin === 'do' ? 'DO block' : 'function body'})`);
  }
  const kind = nodeKind(raw.node);
  if (!reasons.length && bodiesUnknown && (kind === 'DoStmt' || kind === 'CreateFunctionStmt')) {
    return 'not run on the server: the analyzer failed on this file, so what this body runs could not be checked against the scratch database boundary';
  }
  if (!reasons.length) return undefined;
  return `not run on the server: ${[...new Set(reasons)].join('; ')} would change the whole server (shared roles, databases, tablespaces or settings), not only the scratch database`;
}
