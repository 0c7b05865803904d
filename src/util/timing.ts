/** ZERODOWN_TIMING=1 prints start-up and run stages to stderr (for profiling, see docs/performance.md). */
const enabled = process.env.ZERODOWN_TIMING !== undefined;

export function mark(stage: string): void {
  if (enabled) process.stderr.write(`[zerodown ${performance.now().toFixed(1)}ms] ${stage}\n`);
}
