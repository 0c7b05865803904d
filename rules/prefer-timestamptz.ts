import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'prefer-timestamptz',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'prefer-timestamptz',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
