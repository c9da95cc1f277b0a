/**
 * What the command prints: aligned tables, numbers, the loss chart and the per-epoch progress
 * (a progress bar on a terminal, one plain line per epoch otherwise).
 */
import asciichart from 'asciichart';
import cliProgress from 'cli-progress';
import type { EpochRecord } from './engine.js';

/** How a command talks: `json` prints one JSON document at the end, `quiet` nothing but errors. */
export interface OutputMode {
  json: boolean;
  quiet: boolean;
  /** stdout is a terminal (progress bars, charts). */
  tty: boolean;
}

export function outputMode(options: object): OutputMode {
  const given = options as { json?: unknown; quiet?: unknown };
  return { json: given.json === true, quiet: given.quiet === true, tty: process.stdout.isTTY === true };
}

/** Writes a line to stdout unless quiet or JSON output is on. */
export function say(mode: OutputMode, line = ''): void {
  if (!mode.quiet && !mode.json) process.stdout.write(line + '\n');
}

/** A number for a table: 4 significant decimals, exponent form for very small or large values. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e6)) return value.toExponential(3);
  return Number(value.toFixed(4)).toString();
}

/** Columns padded to their widest cell; numbers (and '–') right-aligned, text left-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[], indent = '  '): string {
  const cells = [header, ...rows].map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = header.map((_, j) => Math.max(...cells.map((row) => [...(row[j] ?? '')].length)));
  const numeric = header.map((_, j) => rows.every((row) => typeof row[j] === 'number' || row[j] === '–'));
  return cells
    .map((row) => indent + row.map((cell, j) => (numeric[j] ? cell.padStart(widths[j]) : cell.padEnd(widths[j]))).join('  ').trimEnd())
    .join('\n');
}

/** The training and validation loss curves as an ASCII chart (at most `width` points per curve). */
export function lossChart(history: readonly EpochRecord[], width = 60, height = 10): string {
  const sample = (values: number[]): number[] => {
    if (values.length <= width) return values;
    return Array.from({ length: width }, (_, i) => values[Math.round((i * (values.length - 1)) / (width - 1))]);
  };
  const train = sample(history.map((r) => r.loss)).filter(Number.isFinite);
  const hasValidation = history.some((r) => r.valLoss !== null);
  const series = hasValidation ? [train, sample(history.map((r) => r.valLoss ?? NaN)).filter(Number.isFinite)] : [train];
  if (train.length < 2) return '';
  const chart = asciichart.plot(series, {
    height,
    colors: hasValidation ? [asciichart.default, asciichart.yellow] : [asciichart.default],
    format: (x: number) => formatNumber(x).padStart(9),
  });
  const legend = hasValidation ? `  loss per epoch (1–${history.length}): training, ${asciichart.yellow}validation${asciichart.reset}` : `  training loss per epoch (1–${history.length})`;
  return `${chart}\n${legend}`;
}

/** One line summing up an epoch: loss, validation loss, metrics, learning rate. */
export function epochLine(record: EpochRecord, epochs: number): string {
  const parts = [`epoch ${String(record.epoch).padStart(String(epochs).length)}/${epochs}`, `loss ${formatNumber(record.loss)}`];
  if (record.valLoss !== null) parts.push(`val_loss ${formatNumber(record.valLoss)}`);
  for (const [name, value] of Object.entries(record.metrics)) parts.push(`${name} ${formatNumber(value)}`);
  for (const [name, value] of Object.entries(record.valMetrics ?? {})) parts.push(`val_${name} ${formatNumber(value)}`);
  parts.push(`lr ${formatNumber(record.lr)}`);
  return parts.join('  ');
}

/**
 * Progress of a training run: on a terminal a bar over all steps with the latest losses; else a
 * line per epoch. Nothing at all in quiet or JSON mode.
 */
export class TrainingProgress {
  private bar: cliProgress.SingleBar | null = null;
  private readonly mode: OutputMode;
  private readonly epochs: number;
  private lastLine = '';

  constructor(mode: OutputMode, epochs: number, stepsPerEpoch: number, startEpoch = 0) {
    this.mode = mode;
    this.epochs = epochs;
    if (mode.tty && !mode.quiet && !mode.json) {
      this.bar = new cliProgress.SingleBar(
        { format: '  {bar} epoch {epoch}/{epochs} | loss {loss} | val_loss {valLoss} | {eta_formatted} left', hideCursor: true, clearOnComplete: false, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(epochs * stepsPerEpoch, startEpoch * stepsPerEpoch, { epoch: startEpoch, epochs, loss: '–', valLoss: '–' });
    }
  }

  /** `count` more steps done (one call of batched native steps may do several). */
  steps(count: number): void {
    this.bar?.increment(count);
  }

  epoch(record: EpochRecord, stepsPerEpoch: number): void {
    if (this.bar) {
      this.bar.update(record.epoch * stepsPerEpoch, { epoch: record.epoch, loss: formatNumber(record.loss), valLoss: formatNumber(record.valLoss) });
      this.lastLine = epochLine(record, this.epochs);
    } else {
      say(this.mode, epochLine(record, this.epochs));
    }
  }

  stop(): void {
    if (this.bar) {
      this.bar.stop();
      if (this.lastLine) say(this.mode, `  ${this.lastLine}`);
    }
  }
}

/**
 * Progress of many trainings (cv folds, search candidates): on a terminal one bar over all their
 * epochs with the latest result beside it; otherwise each result as a line.
 */
export class WorkProgress {
  private readonly bar: cliProgress.SingleBar | null = null;
  private readonly mode: OutputMode;
  private done = 0;

  constructor(mode: OutputMode, totalEpochs: number) {
    this.mode = mode;
    if (mode.tty && !mode.quiet && !mode.json) {
      this.bar = new cliProgress.SingleBar({ format: '  {bar} {percentage}% | {eta_formatted} left | {latest}', hideCursor: true, etaBuffer: 200 }, cliProgress.Presets.shades_classic);
      this.bar.start(totalEpochs, 0, { latest: '' });
    }
  }

  /** One epoch of some training done. */
  epoch(): void {
    this.done++;
    this.bar?.update(this.done);
  }

  /** A training finished after `epochs` of its `planned` epochs (early stopping ends some sooner); `line` says how it went. */
  finished(line: string, epochs: number, planned: number): void {
    this.done += planned - epochs;
    if (this.bar) this.bar.update(this.done, line ? { latest: line } : {});
    else if (line) say(this.mode, `  ${line}`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
