import { arraySuffix, columnPhrase, columnSites, eachColumnOnce, retypeStep } from '../src/advice/column-types.ts';
import { defineRule } from '../src/kit/index.ts';

export default defineRule({
  id: 'prefer-jsonb',
  severity: 'warning',
  category: 'design',
  presets: ['strict'],
  description: 'json columns: use jsonb, which is parsed once, indexable and comparable',
  docs: {
    why:
      'json stores the input text verbatim and re-parses it on every access: ->, ->> and every other operator pay the parse for each row. It has no equality operator, so SELECT DISTINCT, GROUP BY, UNION and unique constraints on it fail, and it cannot be indexed with GIN. jsonb stores a parsed binary form, supports containment (@>), jsonpath and GIN indexes. Switching later is an ALTER COLUMN TYPE that rewrites the table and its indexes under an ACCESS EXCLUSIVE lock. Keep json only if you must preserve key order, duplicate keys or whitespace exactly.',
    bad: 'ALTER TABLE orders ADD COLUMN metadata json;',
    good: 'ALTER TABLE orders ADD COLUMN metadata jsonb;',
  },
  check(ctx) {
    eachColumnOnce(columnSites(ctx), (s) => s.facts.type?.name === 'json', (site) => {
      const newType = `jsonb${arraySuffix(site)}`;
      const step = retypeStep(ctx, [site], () => newType);
      const verb = site.where === 'alter-type' ? 'is changed to' : 'is declared as';
      ctx.report({
        span: site.typeSpan,
        message: `${columnPhrase(site)} ${verb} ${site.typeText}: json keeps the raw text and re-parses it on every access, has no equality operator (DISTINCT, GROUP BY and UNION on it fail) and cannot use a GIN index; changing the type later rewrites the table.`,
        help: `Use ${newType}, unless the exact input text (key order, duplicate keys, whitespace) must be preserved.`,
        lock: null,
        safeAlternative: step ? { summary: `Declare the column as ${newType}.`, steps: [step] } : null,
      });
    });
  },
});
