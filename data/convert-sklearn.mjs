// Converts scikit-learn's bundled copies of iris and the 8×8 digits into the CSV files beside this
// script (header row, one sample per line). Run once with Debian's python3-sklearn installed:
//   node data/convert-sklearn.mjs [/usr/lib/python3/dist-packages/sklearn/datasets/data]
// scikit-learn's iris.csv starts with "150,4,setosa,versicolor,virginica" and stores the class as
// an index into those names; digits.csv.gz has no header and 64 pixel columns then the digit.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sourceDir = process.argv[2] ?? '/usr/lib/python3/dist-packages/sklearn/datasets/data';
const outDir = dirname(fileURLToPath(import.meta.url));

function nonEmptyLines(text) {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '');
}

function convertIris() {
  const [first, ...rows] = nonEmptyLines(readFileSync(join(sourceDir, 'iris.csv'), 'utf8'));
  const [count, featureCount, ...classNames] = first.split(',');
  if (Number(count) !== rows.length || Number(featureCount) !== 4) throw new Error(`iris.csv: unexpected first line ${first}`);
  const out = ['sepal_length,sepal_width,petal_length,petal_width,species'];
  for (const row of rows) {
    const cells = row.split(',');
    if (cells.length !== 5) throw new Error(`iris.csv: expected 5 fields, got ${row}`);
    out.push([...cells.slice(0, 4), classNames[Number(cells[4])]].join(','));
  }
  writeFileSync(join(outDir, 'iris.csv'), out.join('\n') + '\n');
  return rows.length;
}

function convertDigits() {
  const rows = nonEmptyLines(gunzipSync(readFileSync(join(sourceDir, 'digits.csv.gz'))).toString('utf8'));
  const header = [];
  for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) header.push(`pixel_${r}_${c}`);
  header.push('digit');
  const out = [header.join(',')];
  for (const row of rows) {
    // The source stores integers as floats ("0.000000000000000000e+00" in some versions).
    const cells = row.split(',').map((cell) => String(Number(cell)));
    if (cells.length !== 65 || cells.some((cell) => !/^\d+$/.test(cell))) throw new Error(`digits.csv.gz: bad row ${row.slice(0, 60)}`);
    out.push(cells.join(','));
  }
  writeFileSync(join(outDir, 'digits.csv'), out.join('\n') + '\n');
  return rows.length;
}

console.log(`iris: ${convertIris()} rows; digits: ${convertDigits()} rows`);
