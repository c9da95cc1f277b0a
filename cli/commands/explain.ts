/**
 * `backprop explain`: one forward and backward pass of a small network and the update that
 * follows, number by number (the library's explainStep), as text, Markdown with LaTeX, or JSON.
 */
import { Command } from 'commander';
import { Dense, LOSS_NAMES, OPTIMIZER_NAMES, Sequential, Tensor, applyScaler, encodeTable, mlp, numberProblem, parseConfigValue, parseStrictNumber, resolveActivation, resolveInitializer, resolveLoss, explainStep, outputActivationProblem } from '../engine.js';
import type { Module, Targets } from '../engine.js';
import { UsageError, optionError } from '../errors.js';
import { loadTable } from '../data.js';
import { denseWidths, loadModel } from '../model-file.js';
import { renderMarkdown, renderText } from '../explain-render.js';
import { optionLabel } from '../pipeline.js';
import { MAX_SEED, parseNumberOption } from '../options.js';

interface ExplainOptions {
  model?: string;
  layers?: string;
  activation: string;
  outputActivation: string;
  init?: string;
  seed: string;
  input?: string;
  target?: string;
  data?: string;
  loss?: string;
  optimizer: string;
  lr: string;
  format: string;
  json?: boolean;
  digits: string;
}

export function explainCommand(): Command {
  return new Command('explain')
    .description('one training step of a small network written out number by number: z and a per layer, the loss, δ per layer by the chain rule, ∂C/∂W, ∂C/∂b and the updated weights')
    .option('--model <file>', 'the network: a trained model or a hand-written model document')
    .option('--layers <sizes>', 'or build one: all widths, inputs to outputs, e.g. 3,4,4,1')
    .option('--activation <name>', 'hidden activation of a built network', 'sigmoid')
    .option('--output-activation <name>', 'output activation of a built network', 'sigmoid')
    .option('--init <name>', 'weight initialiser of a built network (default: by activation)')
    .option('--seed <n>', 'seed of a built network\'s weights', '1')
    .option('--input <values>', 'one sample, comma-separated (several samples: separate them with ";")')
    .option('--target <values>', 'its target(s): values, comma-separated per sample, ";" between samples (a class index for softmaxCrossEntropy)')
    .option('--data <file.csv>', 'or: every row of a CSV file as one batch (through the model\'s preprocessing when it has one; else the first columns are inputs, the rest targets)')
    .option('--loss <name>', `${LOSS_NAMES.join(', ')} (default: the model's training loss, else halfSquaredError: ½·Σ(a − t)²)`)
    .option('--optimizer <name>', `optimiser of the update: ${OPTIMIZER_NAMES.join(', ')}`, 'sgd')
    .option('--lr <rate>', 'learning rate ε of the update', '0.5')
    .option('--format <format>', 'text (aligned, for a terminal), markdown (with LaTeX) or json', 'text')
    .option('--json', 'the same as --format json: { loss, layers: [{ z, a, delta, gradWeights, gradBiases, … }], gradInput, … }')
    .option('--digits <n>', 'significant digits shown in text and markdown', '6')
    .addHelpText('after', `
Examples:
  backprop explain --layers 2,2,1 --input 0.05,0.1 --target 0.01 --loss halfSquaredError
  backprop explain --model xor.json --input 1,0 --target 1 --format markdown
  backprop explain --model iris.json --data few-rows.csv --json`)
    .action((options: ExplainOptions, command: Command) => {
      // The options that build a network mean nothing beside --model: refuse them rather than ignore them.
      if (options.model !== undefined) {
        for (const [key, flag] of [['activation', '--activation'], ['outputActivation', '--output-activation'], ['init', '--init'], ['seed', '--seed']] as const) {
          if (command.getOptionValueSource(key) === 'cli') throw optionError(flag, options[key], 'applies to a network built with --layers, not to one loaded with --model');
        }
      }
      explain(options);
    });
}

function explain(options: ExplainOptions): void {
  const format = options.json ? 'json' : options.format;
  if (!['text', 'markdown', 'json'].includes(format)) throw optionError('--format', options.format, 'must be text, markdown or json');
  const digits = parseNumberOption('--digits', options.digits, { integer: true, min: 1 });
  if (digits > 17) throw optionError('--digits', options.digits, 'must be at most 17');
  const lr = parseNumberOption('--lr', options.lr, { min: 0 });
  if (!(OPTIMIZER_NAMES as readonly string[]).includes(options.optimizer)) throw optionError('--optimizer', options.optimizer, `must be one of ${OPTIMIZER_NAMES.join(', ')}`);
  if ((options.model === undefined) === (options.layers === undefined)) throw new UsageError('explain: give either --model <file> or --layers <sizes>');
  let model: Module;
  let storedLoss: string | undefined;
  let preprocessing = null;
  if (options.model) {
    const loaded = loadModel(options.model);
    denseWidths(loaded, 'explain');
    model = loaded.model;
    preprocessing = loaded.preprocessing;
    const loss = (loaded.document.training as Record<string, unknown> | undefined)?.loss;
    storedLoss = typeof loss === 'string' ? loss : undefined;
  } else {
    const sizes = parseConfigValue('layers', options.layers!, () => '--layers') as number[];
    if (sizes.length < 2) throw optionError('--layers', options.layers, 'must list at least the input and output widths, e.g. 2,2,1');
    const seed = parseNumberOption('--seed', options.seed, { integer: true, min: 0, max: MAX_SEED });
    // Each named by its own option: mlp would report them all under --layers.
    resolveActivation(options.activation, '--activation');
    resolveActivation(options.outputActivation, '--output-activation');
    if (options.init !== undefined) resolveInitializer(options.init, '--init');
    model = wrap('--layers', () => mlp({ sizes, activation: options.activation as never, outputActivation: options.outputActivation as never, init: options.init as never, seed }));
  }
  const lossName = options.loss ?? storedLoss ?? 'halfSquaredError';
  if (!(LOSS_NAMES as string[]).includes(lossName)) throw optionError('--loss', lossName, `must be one of ${LOSS_NAMES.join(', ')}`);
  const labels = resolveLoss(lossName).targets === 'labels';
  // As train refuses them: a logits loss after softmax or sigmoid, binaryCrossEntropy without one.
  const last = model instanceof Sequential ? model.layers[model.layers.length - 1] : null;
  const problem = last instanceof Dense ? outputActivationProblem(lossName, last.activation.name) : null;
  if (problem !== null) {
    if (options.model) throw optionError('--loss', lossName, `does not suit the model's output activation ${(last as Dense).activation.name}: it ${problem}`);
    throw optionError('--output-activation', options.outputActivation, `${problem} (for --loss ${lossName})`);
  }
  const dense = model.parameters().filter((p) => p.rank === 2);
  const features = dense[0].shape[1];
  const outputs = dense[dense.length - 1].shape[0];
  let x: Tensor;
  let y: Targets;
  if (options.data) {
    if (options.input || options.target) throw new UsageError('explain: give --data, or --input and --target, not both');
    ({ x, y } = batchFromCsv(options.data, preprocessing, features, outputs, labels));
  } else {
    if (!options.input || !options.target) throw new UsageError('explain: give --input <values> and --target <values> (or --data <file.csv>)');
    const inputs = parseRows('--input', options.input, features);
    const targets = parseRows('--target', options.target, labels ? 1 : outputs);
    if (targets.length !== inputs.length) throw optionError('--target', options.target, `must give one target per sample (${inputs.length} samples)`);
    x = new Tensor(Float64Array.from(inputs.flat()), [inputs.length, features]);
    y = labels ? classLabels('--target', targets.flat(), outputs) : new Tensor(Float64Array.from(targets.flat()), [targets.length, outputs]);
  }
  const explanation = wrap(optionLabel('loss'), () => explainStep(model, x, y, { loss: lossName as never, optimizer: options.optimizer as never, lr }));
  if (format === 'json') process.stdout.write(JSON.stringify(explanation) + '\n');
  else process.stdout.write(format === 'markdown' ? renderMarkdown(explanation, digits) : renderText(explanation, digits));
}

/** Library errors about a built network or the loss become messages naming the option. */
function wrap<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof Error && error.name !== 'Error') throw new UsageError(`${option}: ${error.message}`);
    throw error;
  }
}

/** "0.1,0.2;0.3,0.4" → [[0.1, 0.2], [0.3, 0.4]], each row of `width` numbers. */
function parseRows(option: string, text: string, width: number): number[][] {
  return text.split(';').map((row) => {
    const values = row.split(',').map((cell) => parseNumberOption(option, cell.trim()));
    if (values.length !== width) throw optionError(option, text, `must give ${width} number${width === 1 ? '' : 's'} per sample, got ${values.length} in ${JSON.stringify(row)}`);
    return values;
  });
}

function classLabels(option: string, values: number[], classes: number): Int32Array {
  for (const value of values) if (!(Number.isInteger(value) && value >= 0 && value < classes)) throw optionError(option, String(value), `must be a class index in 0…${classes - 1} for a labels loss`);
  return Int32Array.from(values);
}

function batchFromCsv(path: string, preprocessing: ReturnType<typeof loadModel>['preprocessing'], features: number, outputs: number, labels: boolean): { x: Tensor; y: Targets } {
  if (preprocessing) {
    const { table } = loadTable(path);
    const encoded = encodeTable(preprocessing.encoder, table, { target: 'required' });
    const scaled = applyScaler(preprocessing.scaler, encoded.x);
    const x = new Tensor(Float64Array.from(scaled.data), [scaled.rows, scaled.columns]);
    if (preprocessing.targets === 'labels') return { x, y: encoded.y as Int32Array };
    const ts = preprocessing.targetScaler;
    const values = Float64Array.from(encoded.y!, (v) => (preprocessing.targets === 'binary' ? (v === 1 ? 1 : 0) : ts ? (v - ts.offset[0]) / ts.scale[0] : v));
    return { x, y: new Tensor(values, [values.length, 1]) };
  }
  const { table } = loadTable(path);
  const width = features + (labels ? 1 : outputs);
  if (table.columns.length !== width) throw new UsageError(`${path}: has ${table.columns.length} columns, expected ${features} inputs then ${labels ? 'a class index' : `${outputs} target${outputs === 1 ? '' : 's'}`} (${width} columns)`);
  const numbers = table.rows.map((row, i) => row.map((cell, j) => {
    const value = parseStrictNumber(cell);
    if (value === null) throw new UsageError(`${path}, line ${table.lines[i]}, column ${JSON.stringify(table.columns[j])}: ${JSON.stringify(cell)} is not a number (${numberProblem(cell)})`);
    return value;
  }));
  const x = new Tensor(Float64Array.from(numbers.flatMap((row) => row.slice(0, features))), [numbers.length, features]);
  const targets = numbers.flatMap((row) => row.slice(features));
  return { x, y: labels ? classLabels(`${path} target`, targets, outputs) : new Tensor(Float64Array.from(targets), [numbers.length, outputs]) };
}

