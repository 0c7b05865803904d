import { it } from 'vitest';
import { lintText } from './helpers.ts';
const show = (r: any) => JSON.stringify({ s: r.statements, f: r.findings.map((f: any) => [f.ruleId, f.line, f.column, f.start, f.end, f.message.slice(0, 80)]) });
it('probe', async () => {
  const cases: [string, string][] = [
    ['emoji', '-- 🎉\nCREATE INDEX i ON t(a);'],
    ['cjk', '/* 日本 */ CREATE INDEX i ON t(a);'],
    ['crlf', 'CREATE TABLE x (a int);\r\nCREATE INDEX i ON t(a);\r\n'],
    ['nul', 'CREATE INDEX a ON t(a);\nSELECT 1\u0000;\nCREATE INDEX b ON t(b);\n'],
    ['bom', '\uFEFF'],
    ['dollar', 'CREATE INDEX a ON t(a);\nSELECT $$abc;\nCREATE INDEX b ON t(b);\n'],
    ['block', 'CREATE INDEX a ON t(a);\nSELECT /* abc;\nCREATE INDEX b ON t(b);\n'],
    ['param', 'PREPARE p AS SELECT $1;\nCREATE INDEX b ON t(b);\n'],
    ['estr', "SELECT E'it\\'s; fine';\nCREATE INDEX b ON t(b);\n"],
    ['invalid', Buffer.from([0x53,0x45,0x4c,0x45,0x43,0x54,0x20,0xff,0xfe,0xc3,0x3b,0x0a]).toString('utf8') + 'CREATE INDEX b ON t(b);\n'],
    ['lone', 'SELECT \ud800;\nCREATE INDEX b ON t(b);\n'],
  ];
  for (const [n, t] of cases) console.log(n, show(await lintText(t)));
  const deep = 'SELECT ' + '('.repeat(10000) + '1' + ')'.repeat(10000) + ';\nCREATE INDEX b ON t(b);\n';
  console.log('deep', show(await lintText(deep)));
  console.log('after deep', show(await lintText('CREATE INDEX b ON t(b);')));
});
