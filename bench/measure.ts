/**
 * Timing, statistics and JSON-line output for `npm run bench` in Node, with the same definitions
 * as the peer benchmarks in ../shared/bench/common.js so the lines compare directly.
 */

/** Seconds from a monotonic clock. */
export function nowSeconds(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

/** median, min and max of the values. */
export function summarize(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((x, y) => x - y);
  const count = sorted.length;
  const median = count % 2 ? sorted[(count - 1) / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
  return { median, min: sorted[0], max: sorted[count - 1] };
}

/** Rounds to `digits` significant digits, as the peers' lines do. */
export function roundSignificant(x: number, digits = 4): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const scale = Math.pow(10, digits - Math.ceil(Math.log10(Math.abs(x))));
  return Math.round(x * scale) / scale;
}

/**
 * Prints one JSON line: { library, workload, metric, unit, median, min, max, runs, ...extra }, the
 * peers' format; `values` are the per-run values of the primary metric. `library` is "backprop"
 * except for a peer measured by backprop's own runner (tfjs in Chromium).
 */
export function emit(workload: string, metric: string, unit: string, values: readonly number[], extra: Record<string, unknown>, library = 'backprop'): void {
  const { median, min, max } = summarize(values);
  const line: Record<string, unknown> = {
    library,
    workload,
    metric,
    unit,
    median: roundSignificant(median),
    min: roundSignificant(min),
    max: roundSignificant(max),
    ...extra,
  };
  if (values.length <= 5) line.runs = values.map((v) => roundSignificant(v));
  else line.reps = values.length;
  process.stdout.write(JSON.stringify(line) + '\n');
}

/** --name=value and --flag arguments. */
export function parseArguments(argv: readonly string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (const argument of argv) {
    const match = /^--([^=]+)(?:=(.*))?$/.exec(argument);
    if (match) options.set(match[1], match[2] ?? 'true');
  }
  return options;
}
