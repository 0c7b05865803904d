import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'detach-partition-not-concurrent',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'detach-partition-not-concurrent',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
