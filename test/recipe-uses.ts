/**
 * Recipe proofs, part 2b (pass 2): what a fixture uses — tables, columns and their likely types,
 * enums, domains, partitions, indexes and constraints referred to by name. Generic over the AST.
 */
import { CollectorBase, constType, nameKey, NUMERIC_FUNCS, renderType, rvKey, strs, TEXT_FUNCS, type AnyNode, type RelKind, type RelModel } from './recipe-collect.ts';

export class Collector extends CollectorBase {
  /** Pass 2: what the fixture uses. `recipe` statements only add columns to relations already known. */
  uses(node: AnyNode, recipe: boolean): void {
    const [kind] = Object.keys(node);
    const s = node[kind];
    const c = this.c;
    const known = (key: string): boolean => !recipe || c.rels.has(key);
    const table = (rv: AnyNode, k: RelKind = 'table'): string | undefined => {
      const key = rvKey(rv);
      if (!known(key)) return undefined;
      if (rv?.schemaname) c.schemas.add(rv.schemaname);
      const r = this.rel(key, k);
      if (r && !recipe) r.usage.add(kind === 'InsertStmt' && rv === s.relation ? 'insert' : 'other');
      return r ? key : undefined;
    };
    switch (kind) {
      case 'AlterTableStmt': {
        const objKind = s.objtype === 'OBJECT_VIEW' ? 'view' : s.objtype === 'OBJECT_MATVIEW' ? 'matview' : 'table';
        if (s.objtype === 'OBJECT_INDEX') {
          if (!recipe) c.indexes.add(rvKey(s.relation));
          return;
        }
        const t = table(s.relation, objKind as RelKind);
        for (const cmdNode of s.cmds ?? []) {
          const cmd = cmdNode.AlterTableCmd;
          if (!cmd) continue;
          const sub = cmd.subtype as string;
          if (sub === 'AT_AddColumn') {
            const def = cmd.def?.ColumnDef;
            this.exprs(def, t, def ? renderType(def.typeName) : undefined);
            continue;
          }
          if (sub === 'AT_AlterColumnType') {
            const def = cmd.def?.ColumnDef;
            this.col(t, cmd.name, def ? renderType(def.typeName) : undefined, 1.5);
            this.exprs(def?.raw_default, t);
            continue;
          }
          if (sub === 'AT_AddConstraint') {
            this.constraint(cmd.def?.Constraint, t);
            continue;
          }
          if (sub === 'AT_ValidateConstraint' || sub === 'AT_DropConstraint') {
            if (t && !recipe && sub === 'AT_ValidateConstraint' && !c.createdConstraints.has(`${t}|${cmd.name}`)) {
              let set = c.constraints.get(t);
              if (!set) c.constraints.set(t, (set = new Set()));
              set.add(cmd.name);
            }
            continue;
          }
          if (sub === 'AT_AttachPartition' || sub === 'AT_DetachPartition') {
            const spec = cmd.def?.PartitionCmd;
            const r = t ? c.rels.get(t) : undefined;
            if (!r || !spec) continue;
            const bound = spec.bound;
            this.partitioned(r, bound);
            const partKey = rvKey(spec.name);
            if (spec.name?.schemaname) c.schemas.add(spec.name.schemaname);
            const p = this.rel(partKey);
            if (p && sub === 'AT_DetachPartition' && !recipe) p.partitionOf = r.key;
            continue;
          }
          if (cmd.name && t) this.col(t, cmd.name);
          this.exprs(cmd.def, t);
        }
        return;
      }
      case 'CreateStmt': {
        const self = rvKey(s.relation);
        if (s.relation?.schemaname && !recipe) c.schemas.add(s.relation.schemaname);
        for (const inh of s.inhRelations ?? []) {
          const parent = inh.RangeVar ? table(inh.RangeVar) : undefined;
          const r = parent ? c.rels.get(parent) : undefined;
          if (r && s.partbound) this.partitioned(r, s.partbound);
        }
        for (const e of s.tableElts ?? []) {
          if (e.ColumnDef) {
            this.typeRef(e.ColumnDef.typeName);
            for (const k of e.ColumnDef.constraints ?? []) if (k.Constraint) this.constraint(k.Constraint, self, e.ColumnDef.colname, renderType(e.ColumnDef.typeName));
          }
          if (e.Constraint) this.constraint(e.Constraint, self);
        }
        return;
      }
      case 'IndexStmt': {
        const t = table(s.relation);
        for (const p of s.indexParams ?? []) {
          const el = p.IndexElem;
          if (el?.name) this.col(t, el.name);
          if (el?.expr) this.exprs(el.expr, t);
        }
        for (const p of s.indexIncludingParams ?? []) if (p.IndexElem?.name) this.col(t, p.IndexElem.name);
        this.exprs(s.whereClause, t);
        return;
      }
      case 'UpdateStmt': {
        const t = table(s.relation);
        const aliases = this.aliases(s, recipe);
        for (const rt of s.targetList ?? []) {
          const r = rt.ResTarget;
          if (!r) continue;
          const ty = r.val?.A_Const ? constType(r.val.A_Const) : r.val?.TypeCast ? renderType(r.val.TypeCast.typeName) : undefined;
          this.col(t, r.name, ty, ty ? (r.val?.TypeCast ? 2.5 : 2) : 0);
          this.exprs(r.val, t, undefined, aliases);
        }
        this.exprs(s.whereClause, t, undefined, aliases);
        for (const f of s.fromClause ?? []) this.uses({ SelectStmt: { fromClause: [f] } }, recipe);
        return;
      }
      case 'DeleteStmt': {
        const t = table(s.relation);
        this.exprs(s.whereClause, t, undefined, this.aliases(s, recipe));
        return;
      }
      case 'InsertStmt': {
        const t = table(s.relation);
        const cols: string[] = (s.cols ?? []).map((x: AnyNode) => x.ResTarget?.name);
        const sel = s.selectStmt?.SelectStmt;
        const firstRow: AnyNode[] | undefined = sel?.valuesLists?.[0]?.List?.items;
        cols.forEach((col, i) => {
          const v = firstRow?.[i];
          const ty = v?.A_Const ? constType(v.A_Const) : v?.TypeCast ? renderType(v.TypeCast.typeName) : undefined;
          this.col(t, col, ty, ty ? 2 : 0);
        });
        if (sel && !sel.valuesLists) this.uses(s.selectStmt, recipe);
        return;
      }
      case 'SelectStmt': {
        const aliases = this.aliases(s, recipe);
        const from = s.fromClause ?? [];
        const primary = from.length === 1 && from[0].RangeVar ? rvKey(from[0].RangeVar) : undefined;
        for (const f of from) if (f.RangeVar) table(f.RangeVar);
        if (s.larg) this.uses({ SelectStmt: s.larg }, recipe);
        if (s.rarg) this.uses({ SelectStmt: s.rarg }, recipe);
        this.exprs({ t: s.targetList, w: s.whereClause, g: s.groupClause, h: s.havingClause, o: s.sortClause }, primary && known(primary) ? primary : undefined, undefined, aliases);
        return;
      }
      case 'ViewStmt':
        if (s.query) this.uses(s.query, recipe);
        return;
      case 'CreateTableAsStmt':
        if (s.query) this.uses(s.query, recipe);
        return;
      case 'RefreshMatViewStmt':
        table(s.relation, 'matview');
        return;
      case 'TruncateStmt':
        for (const r of s.relations ?? []) if (r.RangeVar) table(r.RangeVar);
        return;
      case 'ClusterStmt':
        if (s.relation) table(s.relation);
        if (s.indexname && !recipe) c.indexes.add(`${s.relation?.schemaname ?? 'public'}.${s.indexname}`);
        return;
      case 'ReindexStmt':
        if (s.kind === 'REINDEX_OBJECT_INDEX') {
          if (!recipe) c.indexes.add(rvKey(s.relation));
        } else if (s.relation) table(s.relation);
        return;
      case 'VacuumStmt':
        for (const r of s.rels ?? []) if (r.VacuumRelation?.relation) table(r.VacuumRelation.relation);
        return;
      case 'LockStmt':
        for (const r of s.relations ?? []) if (r.RangeVar) table(r.RangeVar);
        return;
      case 'RenameStmt': {
        if (recipe) return;
        const rt = s.renameType as string;
        if (rt === 'OBJECT_INDEX') c.indexes.add(rvKey(s.relation));
        else if (rt === 'OBJECT_COLUMN') {
          const t = table(s.relation, s.relationType === 'OBJECT_VIEW' ? 'view' : s.relationType === 'OBJECT_MATVIEW' ? 'matview' : 'table');
          this.col(t, s.subname);
        } else if (rt === 'OBJECT_TABLE' || rt === 'OBJECT_VIEW' || rt === 'OBJECT_MATVIEW') table(s.relation, rt === 'OBJECT_VIEW' ? 'view' : rt === 'OBJECT_MATVIEW' ? 'matview' : 'table');
        else if (rt === 'OBJECT_SEQUENCE') c.sequences.add(rvKey(s.relation));
        else if (rt === 'OBJECT_SCHEMA') c.schemas.add(s.subname);
        else if (rt === 'OBJECT_TYPE') {
          const names = strs(s.object?.List?.items);
          this.typeRef({ names: names.map((n) => ({ String: { sval: n } })) });
        } else if (rt === 'OBJECT_TABCONSTRAINT') {
          const t = table(s.relation);
          if (t && !c.createdConstraints.has(`${t}|${s.subname}`)) {
            let set = c.constraints.get(t);
            if (!set) c.constraints.set(t, (set = new Set()));
            set.add(s.subname);
          }
        }
        return;
      }
      case 'DropStmt': {
        if (recipe) return;
        for (const obj of s.objects ?? []) {
          const names = obj.List ? strs(obj.List.items) : obj.String ? [obj.String.sval] : obj.TypeName ? strs(obj.TypeName.names) : [];
          if (!names.length) continue;
          const key = nameKey(names);
          if (names.length >= 2) c.schemas.add(names[names.length - 2]);
          switch (s.removeType) {
            case 'OBJECT_TABLE':
              this.rel(key);
              break;
            case 'OBJECT_VIEW':
              this.rel(key, 'view');
              break;
            case 'OBJECT_MATVIEW':
              this.rel(key, 'matview');
              break;
            case 'OBJECT_INDEX':
              c.indexes.add(key);
              break;
            case 'OBJECT_SEQUENCE':
              c.sequences.add(key);
              break;
            case 'OBJECT_SCHEMA':
              c.schemas.add(names[0]);
              break;
            case 'OBJECT_TYPE':
            case 'OBJECT_DOMAIN': {
              this.typeRef({ names: names.map((n) => ({ String: { sval: n } })) });
              // DROP DOMAIN names a domain: synthesize one, not an enum.
              const t = c.types.get(nameKey(names));
              if (s.removeType === 'OBJECT_DOMAIN' && t && t.kind === 'unknown') t.kind = 'domain';
              break;
            }
            default:
              break;
          }
        }
        return;
      }
      case 'AlterEnumStmt': {
        if (recipe) return;
        const names = strs(s.typeName);
        this.typeRef({ names: s.typeName });
        const t = c.types.get(nameKey(names));
        if (!t) return;
        t.kind = 'enum';
        if (s.oldVal) t.values.push(s.oldVal);
        if (s.newValNeighbor) t.values.push(s.newValNeighbor);
        return;
      }
      case 'AlterDomainStmt': {
        if (recipe) return;
        const names = strs(s.typeName);
        this.typeRef({ names: s.typeName });
        const t = c.types.get(nameKey(names));
        if (!t) return;
        t.kind = 'domain';
        // The base type is inferred from how the constraint uses VALUE (a pseudo-table column).
        this.exprs(s.def, `domain:${nameKey(names)}`);
        return;
      }
      case 'AlterObjectSchemaStmt':
      case 'AlterOwnerStmt':
        return;
      default:
        return;
    }
  }

  aliases(s: AnyNode, recipe: boolean): Map<string, string> {
    const m = new Map<string, string>();
    const add = (rv: AnyNode): void => {
      if (!rv) return;
      const key = rvKey(rv);
      if (recipe && !this.c.rels.has(key)) return;
      m.set(rv.alias?.aliasname ?? rv.relname, key);
    };
    add(s.relation);
    const visit = (v: AnyNode): void => {
      if (!v || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach(visit);
      if (v.RangeVar) add(v.RangeVar);
      if (v.JoinExpr) {
        visit(v.JoinExpr.larg);
        visit(v.JoinExpr.rarg);
      }
    };
    visit(s.fromClause);
    visit(s.usingClause);
    return m;
  }

  partitioned(r: RelModel, bound: AnyNode): void {
    const b = bound?.PartitionBoundSpec ?? bound;
    if (!b || b.is_default) {
      if (!r.partition) r.partition = { strategy: 'range', key: 'part_key', keyType: 'bigint' };
      r.kind = 'partitioned';
      return;
    }
    const strategy = b.strategy === 'l' ? 'list' : b.strategy === 'h' ? 'hash' : 'range';
    const datum = (b.lowerdatums ?? b.listdatums ?? [])[0];
    const ty = datum?.A_Const ? constType(datum.A_Const) : undefined;
    const keyType = strategy === 'hash' ? 'bigint' : ty === 'timestamptz' ? 'date' : (ty ?? 'bigint');
    r.kind = 'partitioned';
    r.partition = { strategy, key: 'part_key', keyType };
  }

  constraint(con: AnyNode, t: string | undefined, column?: string, columnType?: string): void {
    if (!con) return;
    const c = this.c;
    if (t && con.contype === 'CONSTR_PRIMARY' && c.rels.has(t)) c.rels.get(t)!.noPk = true;
    for (const k of [...strs(con.keys), ...strs(con.including), ...strs(con.fk_attrs)]) this.col(t, k);
    this.exprs(con.raw_expr, t);
    for (const ex of con.exclusions ?? []) {
      const items = ex.List?.items ?? [];
      const el = items[0]?.IndexElem;
      const op = strs(items[1]?.List?.items)[0];
      if (el?.name) this.col(t, el.name, op === '&&' ? 'tstzrange' : undefined, op === '&&' ? 2 : 0);
      if (el?.expr) this.exprs(el.expr, t);
    }
    if (con.pktable) {
      const ref = rvKey(con.pktable);
      if (con.pktable.schemaname) c.schemas.add(con.pktable.schemaname);
      if (!this.rel(ref)) return;
      const pk = strs(con.pk_attrs);
      const refCols = pk.length ? pk : ['id'];
      const fkCols = strs(con.fk_attrs).length ? strs(con.fk_attrs) : column ? [column] : [];
      refCols.forEach((rc, i) => {
        const fkType = fkCols[i] && t ? c.rels.get(t)?.cols.get(fkCols[i])?.type : undefined;
        const ty = columnType ?? fkType;
        this.col(ref, rc, ty, ty ? 3 : 0);
      });
      const r = c.rels.get(ref)!;
      if (!(refCols.length === 1 && refCols[0] === 'id')) r.unique.push(refCols);
    }
  }

  /**
   * Column references in an expression tree: unqualified ones belong to `t`, qualified ones to the
   * alias they name. Type hints from how they are used (compared with a constant, arithmetic,
   * well-known functions).
   */
  exprs(v: AnyNode, t: string | undefined, columnType?: string, aliases = new Map<string, string>()): void {
    const stack: AnyNode[] = [v];
    const target = (ref: AnyNode): [string | undefined, string | undefined] => {
      const f = ref?.ColumnRef?.fields ?? [];
      const names = strs(f);
      if (names.length !== f.length) return [undefined, undefined];
      if (names.length === 1) return [t, names[0]];
      if (names.length === 2) return [aliases.get(names[0]), names[1]];
      return [undefined, undefined];
    };
    const hintSide = (ref: AnyNode, other: AnyNode, op?: string): void => {
      if (!ref?.ColumnRef) return;
      const [tt, cc] = target(ref);
      if (op && ['+', '-', '*', '/', '%'].includes(op)) return this.col(tt, cc, 'numeric', 2);
      if (op && ['~', '~*', '!~', '~~', '!~~', '~~*'].includes(op)) return this.col(tt, cc, 'text', 2);
      // An explicit cast names the type; a bare constant only suggests one.
      if (other?.TypeCast) return this.col(tt, cc, renderType(other.TypeCast.typeName), 2.5);
      const ty = other?.A_Const ? constType(other.A_Const) : undefined;
      if (ty) this.col(tt, cc, ty, 2);
    };
    while (stack.length) {
      const cur = stack.pop();
      if (!cur || typeof cur !== 'object') continue;
      if (Array.isArray(cur)) {
        for (const x of cur) stack.push(x);
        continue;
      }
      if (cur.SelectStmt) {
        this.uses({ SelectStmt: cur.SelectStmt }, false);
        continue;
      }
      if (cur.ColumnRef) {
        const [tt, cc] = target(cur);
        this.col(tt, cc);
        continue;
      }
      if (cur.A_Expr) {
        const op = strs(cur.A_Expr.name)[0];
        hintSide(cur.A_Expr.lexpr, cur.A_Expr.rexpr, op);
        hintSide(cur.A_Expr.rexpr, cur.A_Expr.lexpr, op);
      }
      if (cur.FuncCall) {
        const fn = strs(cur.FuncCall.funcname).pop() ?? '';
        const ty = NUMERIC_FUNCS.has(fn) ? 'numeric' : TEXT_FUNCS.has(fn) ? 'text' : undefined;
        if (ty) for (const a of cur.FuncCall.args ?? []) if (a?.ColumnRef) this.col(...target(a), ty, 2);
      }
      if (cur.TypeCast?.arg?.ColumnRef) this.typeRef(cur.TypeCast.typeName);
      if (cur.TypeCast) this.typeRef(cur.TypeCast.typeName);
      if (cur.ColumnDef) this.typeRef(cur.ColumnDef.typeName);
      if (cur.Constraint) {
        this.constraint(cur.Constraint, t, undefined, columnType);
        continue;
      }
      for (const k of Object.keys(cur)) if (cur[k] && typeof cur[k] === 'object') stack.push(cur[k]);
    }
  }
}
