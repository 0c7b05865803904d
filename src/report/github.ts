/**
 * GitHub Actions workflow commands (annotations on the PR diff), written as files finish. Escaping
 * follows the runner's rules: in data % \r \n; in properties also : and ,
 * (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
 */
import { toStringReporter, type StreamingReporter } from './types.ts';

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const githubStream: StreamingReporter = (write) => ({
  file(f) {
    const file = escapeProperty(f.path);
    for (const x of f.findings) {
      const props = [`file=${file}`, `line=${x.line}`, `col=${x.column}`, `endLine=${x.endLine}`, `endColumn=${x.endColumn}`, `title=${escapeProperty(`zerodown ${x.ruleId}`)}`].join(',');
      const text = `${x.message}\n\n${x.help}${x.safeAlternative ? `\n\nSafe alternative: ${x.safeAlternative.summary}` : ''}`;
      write(`::${x.severity === 'error' ? 'error' : 'warning'} ${props}::${escapeData(text)}\n`);
    }
  },
  end(report) {
    for (const e of report.fatal) write(`::error file=${escapeProperty(e.path)},title=${escapeProperty('zerodown')}::${escapeData(e.message)}\n`);
  },
});

export const github = toStringReporter(githubStream);
