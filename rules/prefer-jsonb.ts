import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'prefer-jsonb',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'prefer-jsonb',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
