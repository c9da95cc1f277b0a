/** `backprop info [model.json]`: what a model file holds, or without one the engine's backends. */
import { Command } from 'commander';
import { backend, nodeBackends } from '../engine.js';
import { loadModel } from '../model-file.js';
import { architecture, parameterCount, plural } from '../report.js';
import { outputMode, say, table } from '../terminal.js';

export function infoCommand(): Command {
  return new Command('info')
    .description('show a model file: architecture, parameter count, preprocessing, training configuration and final metrics; without one, the engine backend in use and those available')
    .argument('[model.json]', 'a model document (trained by backprop train or written by hand)')
    .option('--json', 'print the same as one JSON object')
    .action((path: string | undefined, options: { json?: boolean }) => {
      const mode = outputMode(options);
      if (path === undefined) {
        engineInfo(mode);
        return;
      }
      const { document, model, preprocessing } = loadModel(path);
      const layers = document.layers.map((layer, i) => {
        if (layer.type === 'dense') {
          const activation = typeof layer.activation === 'string' ? layer.activation : JSON.stringify(layer.activation);
          return { index: i, type: 'dense', shape: `${layer.inputs} → ${layer.units}`, activation, parameters: layer.inputs * layer.units + (layer.bias ? layer.units : 0) };
        }
        if (layer.type === 'dropout') return { index: i, type: 'dropout', shape: `rate ${layer.rate} (${layer.mode})`, activation: '', parameters: 0 };
        return { index: i, type: 'activation', shape: '', activation: typeof layer.activation === 'string' ? layer.activation : JSON.stringify(layer.activation), parameters: 0 };
      });
      const training = (document.training ?? null) as Record<string, unknown> | null;
      const metadata = (document.metadata ?? null) as Record<string, unknown> | null;
      const summary = preprocessing && {
        features: preprocessing.encoder.features.map((f) => (f.type === 'numeric' ? { name: f.name, type: f.type } : { name: f.name, type: f.type, categories: f.categories.length })),
        inputs: preprocessing.encoder.featureNames.length,
        scaling: preprocessing.scaler.method,
        target: preprocessing.encoder.target,
        targetScaled: preprocessing.targetScaler !== null,
        outputs: preprocessing.targets,
      };
      if (mode.json) {
        process.stdout.write(JSON.stringify({ file: path, dtype: document.dtype, backend: backend().name, parameters: parameterCount(model), layers, preprocessing: summary, training, metadata }) + '\n');
        return;
      }
      say(mode, `${path}: ${architecture(model)}, ${document.dtype}; engine backend: ${backend().name}\n`);
      say(mode, table(['layer', 'type', 'shape', 'activation', 'parameters'], layers.map((l) => [String(l.index), l.type, l.shape, l.activation, l.parameters])));
      if (summary) {
        const target = summary.target;
        say(mode, `\npreprocessing: ${plural(summary.features.length, 'feature')} → ${plural(summary.inputs, 'input')}, ${summary.scaling} scaling`);
        say(mode, `  features: ${summary.features.map((f) => ('categories' in f ? `${f.name} (${f.categories} categories, one-hot)` : f.name)).join(', ')}`);
        say(mode, `  target: ${target.name}, ${target.task === 'classification' ? `classification into ${target.classes.join(', ')}` : `regression${summary.targetScaled ? ' (standardised while training)' : ''}`}`);
      } else {
        say(mode, '\npreprocessing: none (a hand-written model: it takes scaled inputs, not CSV rows)');
      }
      const config = training?.config as Record<string, unknown> | undefined;
      if (config) {
        say(mode, `\ntraining: loss ${training!.loss}, ${plural(training!.epochs, 'epoch')} (stopped by ${training!.stoppedBy}), ${plural(training!.steps, 'step')}`);
        say(mode, table(['option', 'value'], Object.entries(config).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') || 'none' : value === null ? 'none' : String(cell(value))])));
      }
      // The metadata area is free-form (the engine does not check it): shown as it is, whatever it holds.
      const metrics = isRecord(metadata?.metrics) ? metadata!.metrics : undefined;
      if (metrics && isRecord(metrics.training)) {
        const training = metrics.training;
        const validation = isRecord(metrics.validation) ? metrics.validation : null;
        say(mode, `\nfinal metrics (data ${metadata!.data}, ${plural(metadata!.rows, 'row')}, trained ${metadata!.created}):`);
        say(mode, table(['metric', 'training', ...(validation ? ['validation'] : [])], Object.keys(training).map((name) => [name, cell(training[name]), ...(validation ? [cell(validation[name])] : [])])));
      }
    });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value of a free-form area as a table cell: a number stays a number (aligned), anything else becomes text. */
function cell(value: unknown): string | number {
  if (typeof value === 'number') return value;
  if (value === null || value === undefined) return '–';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The backend in use (BACKPROP_BACKEND or the fastest that loads) and what each family gave. */
function engineInfo(mode: ReturnType<typeof outputMode>): void {
  const families = nodeBackends().map(({ family, backend: loaded, problem }) => ({ family, backend: loaded?.name ?? null, threads: loaded?.threads ?? null, problem }));
  const current = backend();
  if (mode.json) {
    process.stdout.write(JSON.stringify({ backend: current.name, threads: current.threads, backends: families }) + '\n');
    return;
  }
  say(mode, `engine backend: ${current.name} (${plural(current.threads, 'thread')}); BACKPROP_BACKEND=js|wasm|native|auto chooses\n`);
  say(mode, table(['family', 'backend', 'threads', 'status'], families.map((f) => [f.family, f.backend ?? '–', f.threads === null ? '–' : String(f.threads), f.problem ?? 'available'])));
}
