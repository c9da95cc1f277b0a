/**
 * `backprop gradcheck <model.json>`: compares the gradients backpropagation computes for the
 * model's parameters with central finite differences, on a float64 copy of the model (float32
 * differences are too coarse), on random inputs or rows of a CSV file.
 */
import { Command } from 'commander';
import { LOSS_NAMES, Rng, Tensor, encodeTable, fromModelDocument, gradcheck, resolveLoss, applyScaler } from '../engine.js';
import type { Targets } from '../engine.js';
import { EXIT_CHECK_FAILED, optionError } from '../errors.js';
import { denseWidths, loadModel } from '../model-file.js';
import { loadTable } from '../data.js';
import { outputMode, say, table, formatNumber } from '../terminal.js';
import { MAX_SEED, parseNumberOption } from '../options.js';

interface GradcheckOptions {
  data?: string;
  rows: string;
  seed: string;
  loss?: string;
  step: string;
  atol: string;
  rtol: string;
  json?: boolean;
}

export function gradcheckCommand(): Command {
  return new Command('gradcheck')
    .description('check the model\'s backpropagated gradients against finite differences (float64), worst error per layer; exit status 3 if a check fails')
    .argument('<model.json>', 'a model document')
    .option('--data <file.csv>', 'rows to check on, read through the model\'s preprocessing (default: random inputs)')
    .option('--rows <n>', 'number of random rows (or the first n rows of --data)', '4')
    .option('--seed <n>', 'seed of the random inputs and targets', '0')
    .option('--loss <name>', `loss to differentiate: ${LOSS_NAMES.join(', ')} (default: the model's training loss, else mse or softmaxCrossEntropy)`)
    .option('--step <h>', 'finite-difference step h', '1e-6')
    .option('--atol <tolerance>', 'absolute tolerance', '1e-6')
    .option('--rtol <tolerance>', 'relative tolerance', '1e-5')
    .option('--json', 'print the report as JSON')
    .action((path: string, options: GradcheckOptions) => {
      const mode = outputMode(options);
      const rowsWanted = parseNumberOption('--rows', options.rows, { integer: true, min: 1, max: 1_000_000 });
      const seed = parseNumberOption('--seed', options.seed, { integer: true, min: 0, max: MAX_SEED });
      const step = parseNumberOption('--step', options.step, { min: 0 });
      const atol = parseNumberOption('--atol', options.atol, { min: 0 });
      const rtol = parseNumberOption('--rtol', options.rtol, { min: 0 });
      if (!(step > 0)) throw optionError('--step', options.step, 'must be > 0');
      const loaded = loadModel(path);
      const { document, preprocessing } = loaded;
      const { inputs: features, outputs } = denseWidths(loaded, 'check');
      const model = fromModelDocument(document, { dtype: 'float64' });
      const storedLoss = (document.training as Record<string, unknown> | undefined)?.loss;
      const lossName = options.loss ?? (typeof storedLoss === 'string' ? storedLoss : preprocessing?.targets === 'labels' ? 'softmaxCrossEntropy' : 'mse');
      if (!(LOSS_NAMES as string[]).includes(lossName)) throw optionError('--loss', lossName, `must be one of ${LOSS_NAMES.join(', ')}`);
      const loss = resolveLoss(lossName);
      if (loss.targets === 'labels' && outputs < 2) throw optionError('--loss', lossName, 'needs a model with one output per class (at least 2)');
      const rng = new Rng(seed);
      let x: Float64Array;
      let rows: number;
      if (options.data) {
        if (!preprocessing) throw optionError('--data', options.data, `needs a model with preprocessing (trained by backprop train); ${path} has none`);
        const { table: data } = loadTable(options.data);
        const encoded = encodeTable(preprocessing.encoder, data, { target: 'ignore' });
        const scaled = applyScaler(preprocessing.scaler, encoded.x);
        rows = Math.min(rowsWanted, scaled.rows);
        x = Float64Array.from(scaled.data.subarray(0, rows * features));
      } else {
        rows = rowsWanted;
        x = Float64Array.from({ length: rows * features }, () => rng.normal());
      }
      // Targets are random: the check is of the gradient, whatever the targets.
      const y: Targets = loss.targets === 'labels'
        ? Int32Array.from({ length: rows }, () => rng.int(outputs))
        : new Tensor(Float64Array.from({ length: rows * outputs }, () => (lossName.startsWith('binary') ? rng.int(2) : rng.normal())), [rows, outputs]);
      const inputs = new Tensor(x, [rows, features]);
      const named = model.namedParameters();
      const report = gradcheck(() => loss.fn(model.forward(inputs), y), named.map(([, p]) => p), { step, atol, rtol });
      const layers = new Map<string, { layer: string; parameters: string[]; maxAbsError: number; maxRelError: number; passed: boolean }>();
      report.inputs.forEach((input) => {
        const name = named[input.index][0];
        const layer = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
        const entry = layers.get(layer) ?? { layer, parameters: [], maxAbsError: 0, maxRelError: 0, passed: true };
        entry.parameters.push(name);
        entry.maxAbsError = Math.max(entry.maxAbsError, input.maxAbsError);
        entry.maxRelError = Math.max(entry.maxRelError, input.maxRelError);
        entry.passed &&= input.passed;
        layers.set(layer, entry);
      });
      const summary = [...layers.values()];
      if (mode.json) process.stdout.write(JSON.stringify({ passed: report.passed, loss: lossName, rows, step, atol, rtol, layers: summary }) + '\n');
      else {
        say(mode, `${path}: gradient check of ${lossName} on ${rows} ${options.data ? `rows of ${options.data}` : 'random rows'} (float64, h = ${step})\n`);
        say(mode, table(['layer', 'parameters', 'max abs error', 'max rel error (abs > atol)', 'result'], summary.map((s) => [s.layer, s.parameters.join(', '), formatNumber(s.maxAbsError), formatNumber(s.maxRelError), s.passed ? 'ok' : 'FAILED'])));
        say(mode, `\n${report.passed ? 'passed' : 'FAILED'}: |analytic − numeric| ≤ ${atol} + ${rtol}·|numeric| ${report.passed ? 'for every parameter' : 'does not hold everywhere'}`);
      }
      if (!report.passed) process.exitCode = EXIT_CHECK_FAILED;
    });
}
