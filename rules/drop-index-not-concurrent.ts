import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'drop-index-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'drop-index-not-concurrent',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
