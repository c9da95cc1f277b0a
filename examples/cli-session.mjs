// `npm start`: the command line from a CSV file to predictions, on the bundled handwritten digits.
// Trains (progress bar, loss chart, metrics), evaluates (per-class scores, confusion matrix),
// shows the model file and writes predictions, all into ./models/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const backprop = fileURLToPath(new URL('../bin/backprop.js', import.meta.url));
const steps = [
  ['train', 'data/digits.csv', '--target', 'digit', '--epochs', '60', '--validation-split', '0.2', '--out', 'models/digits.json'],
  ['evaluate', 'models/digits.json', 'data/digits.csv'],
  ['info', 'models/digits.json'],
  ['predict', 'models/digits.json', 'data/digits.csv', '--out', 'models/digits-predictions.csv'],
];
mkdirSync('models', { recursive: true });
for (const args of steps) {
  console.log(`\n$ backprop ${args.join(' ')}\n`);
  const { status } = spawnSync(process.execPath, [backprop, ...args], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
const predictions = readFileSync('models/digits-predictions.csv', 'utf8').split('\n');
console.log(`\nthe first predictions (models/digits-predictions.csv, ${predictions.length - 2} rows):`);
for (const line of predictions.slice(0, 4)) console.log(`  ${line.split(',').slice(0, 4).join(',')},…`);
