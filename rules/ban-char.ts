import { defineRule, type SafeStep, strings } from '../src/kit/index.ts';
import { arraySuffix, columnPhrase, columnSites, eachColumnOnce, lengthCheck, lengthCheckSteps, retypeStep, type ColumnSite } from '../src/advice/column-types.ts';

/**
 * char(n)/character(n)/bpchar, but not the internal one-byte `"char"` type: the parser gives
 * `pg_catalog.bpchar` for the SQL keyword spellings and a bare `char` only for the quoted type.
 */
function isBlankPadded(s: ColumnSite): boolean {
  const names = strings(s.def.typeName?.names);
  const last = names[names.length - 1];
  return last === 'bpchar' && (names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog'));
}

export default defineRule({
  id: 'ban-char',
  severity: 'warning',
  category: 'design',
  presets: ['strict'],
  description: 'char(n)/character(n) columns: use text, char(n) pads values with blanks and is no faster',
  docs: {
    why:
      'char(n) pads every value with spaces to n characters, and whether the padding counts depends on the operation: = and casts to text strip it, while clients read the padded value (\'ab\' comes back as \'ab  \' from a char(4)) and LIKE and regular expressions see it, so lookups and application comparisons silently stop matching. It has no performance benefit in PostgreSQL (it is stored like text, plus the padding), and `character` without a length means char(1). Use text, with a CHECK (char_length(col) <= n) if the length matters; changing a CHECK later needs no table rewrite. The quoted "char" type (one byte, used in system catalogs) is a different type and is not reported.',
    bad: 'CREATE TABLE countries (\n  code char(2) PRIMARY KEY,\n  name text NOT NULL\n);',
    good: 'CREATE TABLE countries (\n  code text PRIMARY KEY CHECK (char_length(code) = 2),\n  name text NOT NULL\n);',
  },
  check(ctx) {
    eachColumnOnce(columnSites(ctx), isBlankPadded, (site) => {
      const max = site.facts.type?.typmods[0];
      const array = site.facts.type?.array === true;
      const newType = `text${arraySuffix(site)}`;
      const withCheck = max !== undefined && !array;
      // An inline CHECK on a column added to an existing table scans it under ACCESS EXCLUSIVE: add it NOT VALID instead.
      const inline = site.where === 'create' || (site.where === 'add' && !ctx.isExisting(site.table));
      const step = retypeStep(ctx, [site], () => newType, withCheck && inline ? (s) => lengthCheck(s, max) : undefined);
      const steps: SafeStep[] = step ? [step, ...(withCheck && !inline && max !== undefined ? lengthCheckSteps(ctx, site, max) : [])] : [];
      const verb = site.where === 'alter-type' ? 'is changed to' : 'is declared as';
      ctx.report({
        span: site.typeSpan,
        message: `${columnPhrase(site)} ${verb} ${site.typeText}: char pads values with blanks${max !== undefined ? ` to ${max} character${max === 1 ? '' : 's'}` : ''}, which = and casts to text strip but clients, LIKE and regular expressions see, so comparisons silently stop matching; it is no faster than text.`,
        help: withCheck
          ? `Use text, with CHECK (char_length(${site.name}) <= ${max}) if the length limit matters.`
          : `Use ${newType}.`,
        lock: null,
        safeAlternative: step ? { summary: withCheck ? `Declare the column as text and keep the ${max}-character limit as a CHECK constraint.` : `Declare the column as ${newType}.`, steps } : null,
      });
    });
  },
});
