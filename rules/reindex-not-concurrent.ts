import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'reindex-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'reindex-not-concurrent',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
