/** `backprop evaluate <model.json> <data.csv>`: scores a trained model on labelled data. */
import { Command } from 'commander';
import { encodeTable } from '../engine.js';
import { loadTable } from '../data.js';
import { loadModel } from '../model-file.js';
import { predictRows, scorePredictions } from '../pipeline.js';
import { classNames, plural, printScore } from '../report.js';
import { outputMode, say } from '../terminal.js';

export function evaluateCommand(): Command {
  return new Command('evaluate')
    .description('score a trained model on labelled data: accuracy, per-class precision/recall/F1 and the confusion matrix, or MSE, RMSE, MAE and R²')
    .argument('<model.json>', 'a model saved by backprop train')
    .argument('<data.csv>', 'data with the model\'s feature columns and its target column ("-" reads stdin)')
    .option('--json', 'print one JSON object: accuracy, macro, perClass, confusion (classification) or mse, rmse, mae, r2 (regression)')
    .option('--quiet', 'print nothing but errors')
    .action((modelPath: string, dataPath: string, options: { json?: boolean; quiet?: boolean }) => {
      const mode = outputMode(options);
      const { model, preprocessing } = loadModel(modelPath, { needPreprocessing: true });
      const { table } = loadTable(dataPath);
      const { x, y } = encodeTable(preprocessing!.encoder, table, { target: 'required' });
      const score = scorePredictions(preprocessing!, predictRows(model, preprocessing!, x), y!);
      if (mode.json) {
        if (score.task === 'classification') {
          const names = classNames(preprocessing!);
          process.stdout.write(JSON.stringify({
            task: score.task, rows: x.rows, accuracy: score.accuracy, macro: score.macro,
            perClass: score.perClass.map((scores, k) => ({ class: names[k], ...scores })), classes: names, confusion: score.confusion,
          }) + '\n');
        } else {
          process.stdout.write(JSON.stringify({ task: score.task, rows: x.rows, mse: score.mse, rmse: score.rmse, mae: score.mae, r2: score.r2 }) + '\n');
        }
        return;
      }
      say(mode, `${modelPath} on ${dataPath}: ${plural(x.rows, 'row')}, target ${preprocessing!.encoder.target.name} (${score.task})\n`);
      printScore(mode, score, preprocessing!);
    });
}
