import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'attach-partition-scan',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'attach-partition-scan',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
