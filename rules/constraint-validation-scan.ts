import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'constraint-validation-scan',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'constraint-validation-scan',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
