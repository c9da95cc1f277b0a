/** `backprop predict <model.json> <data.csv|->`: one output row per input row, as CSV. */
import { Command } from 'commander';
import { encodeTable, formatCsv, formatFloat32 } from '../engine.js';
import { loadTable } from '../data.js';
import { checkNotAnInput, outputPath, writeFileAtomic } from '../files.js';
import { loadModel } from '../model-file.js';
import { predictRows } from '../pipeline.js';
import { classNames } from '../report.js';

export function predictCommand(): Command {
  return new Command('predict')
    .description('predict each row of a CSV file: the class label and each class\'s probability, or the value')
    .argument('<model.json>', 'a model saved by backprop train')
    .argument('<data.csv>', 'rows with the model\'s feature columns, found by name (order and extra columns do not matter; "-" reads stdin)')
    .option('--out <file.csv>', 'write the CSV to this file (atomically) instead of stdout ("-": stdout)')
    .addHelpText('after', `
Output columns: classification: <target>,P(<target>=<class>) for each class; regression: <target>.`)
    .action((modelPath: string, dataPath: string, options: { out?: string }) => {
      const out = outputPath(options.out);
      if (out) checkNotAnInput('--out', out, [modelPath, dataPath]);
      const { model, preprocessing } = loadModel(modelPath, { needPreprocessing: true });
      const { table } = loadTable(dataPath);
      const { x } = encodeTable(preprocessing!.encoder, table, { target: 'ignore' });
      const predictions = predictRows(model, preprocessing!, x);
      const target = preprocessing!.encoder.target.name;
      let text: string;
      if (predictions.labels) {
        const names = classNames(preprocessing!);
        const rows = Array.from(predictions.labels, (label, i) => [names[label], ...predictions.probabilities![i].map((p) => formatFloat32(p))]);
        text = formatCsv([target, ...names.map((name) => `P(${target}=${name})`)], rows);
      } else {
        text = formatCsv([target], Array.from(predictions.values!, (value) => [formatFloat32(value)]));
      }
      if (out) writeFileAtomic(out, text);
      else process.stdout.write(text);
    });
}
