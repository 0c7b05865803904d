import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'domain-constraint',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'domain-constraint',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
