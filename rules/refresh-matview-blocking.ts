import { defineRule } from '../src/rule.ts';

// TODO(catalog): stub, replaced by the full rule.
export default defineRule({
  id: 'refresh-matview-blocking',
  severity: 'error',
  category: 'locking',
  presets: ['recommended', 'strict'],
  description: 'refresh-matview-blocking',
  docs: { why: '', bad: '', good: '' },
  check() {},
});
