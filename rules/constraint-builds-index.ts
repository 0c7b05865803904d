import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'constraint-builds-index',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'constraint-builds-index',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
