/**
 * Every user error: one line on stderr naming the file, line and column or the option, and the
 * bad value; exit status 2; no stack trace; an existing output file left exactly as it was.
 */
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS, IRIS, backprop, temporaryDirectory } from './helpers.js';

const { dir, cleanup } = temporaryDirectory();
const model = join(dir, 'iris.json');
const out = join(dir, 'out.json');
const PREVIOUS = 'previous contents\n';

/** Writes a data file into the temporary directory and returns its path. */
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const rows = (bad: string) => `a,b,y\n1,2,x\n${bad},4,z\n5,6,x\n7,8,z\n`;

before(() => {
  const trained = backprop(['train', IRIS, '--target', 'species', '--epochs', '2', '--out', model, '--quiet']);
  assert.equal(trained.status, 0, trained.stderr);
});
after(cleanup);

interface Case {
  name: string;
  args: () => string[];
  message: RegExp;
}

const train = (path: string, ...extra: string[]) => ['train', path, '--target', 'y', '--epochs', '1', '--out', out, ...extra];
const trainIris = (...extra: string[]) => ['train', IRIS, '--target', 'species', '--epochs', '1', '--out', out, ...extra];

const CASES: Case[] = [
  { name: 'empty file', args: () => train(file('empty.csv', '')), message: /empty\.csv, line 1: the file is empty/ },
  { name: 'only blank lines', args: () => train(file('blank.csv', '\n  \n')), message: /blank\.csv, line 1: the file is empty/ },
  { name: 'header only', args: () => train(file('header.csv', 'a,b,y\n')), message: /header\.csv, line 2: the file has a header row but no data rows/ },
  { name: 'ragged row', args: () => train(file('ragged.csv', 'a,b,y\n1,2,x\n3,4\n')), message: /ragged\.csv, line 3: this row has 2 fields but the header has 3/ },
  { name: "empty cell ('')", args: () => train(file('missing.csv', rows(''))), message: /missing\.csv, line 3, column "a": missing value \(empty cell\)/ },
  { name: '0x10', args: () => train(file('hex.csv', rows('0x10'))), message: /hex\.csv, line 3, column "a": "0x10" is not a number/ },
  { name: '1e999', args: () => train(file('huge.csv', rows('1e999'))), message: /huge\.csv, line 3, column "a": "1e999" is not a number \(overflows to Infinity\)/ },
  { name: '3.2abc', args: () => train(file('abc.csv', rows('3.2abc'))), message: /abc\.csv, line 3, column "a": "3\.2abc" is not a number \(text after the number\)/ },
  { name: 'NaN', args: () => train(file('nan.csv', rows('NaN'))), message: /nan\.csv, line 3, column "a": "NaN" is not a number/ },
  { name: 'Infinity', args: () => train(file('inf.csv', rows('Infinity'))), message: /inf\.csv, line 3, column "a": "Infinity" is not a number/ },
  { name: '-Infinity', args: () => train(file('minf.csv', rows('-Infinity'))), message: /minf\.csv, line 3, column "a": "-Infinity" is not a number/ },
  { name: 'beyond float32', args: () => train(file('f32.csv', rows('1e39'))), message: /f32\.csv, line 3, column "a": 1e39 is beyond float32's range/ },
  { name: 'missing target column', args: () => trainIris('--target', 'specie'), message: /iris\.csv, column "specie": no target column "specie" \(did you mean "species"\?\)/ },
  { name: 'misspelt --categorical column', args: () => trainIris('--categorical', 'Sepal_length'), message: /iris\.csv, column "Sepal_length": no --categorical column "Sepal_length" \(did you mean "sepal_length"\?\)/ },
  { name: 'duplicate column names', args: () => train(file('dup.csv', 'a,a,y\n1,2,x\n3,4,z\n')), message: /dup\.csv, line 1, column "a": duplicate column name "a"/ },
  { name: 'data file that does not exist', args: () => train(join(dir, 'nothing.csv')), message: /nothing\.csv: cannot read the data file \(no such file\)/ },
  { name: 'unknown optimizer', args: () => trainIris('--optimizer', 'adamm'), message: /^backprop: --optimizer: must be one of sgd, adagrad, rmsprop, adam, adamw, got "adamm"$/ },
  { name: 'unknown activation', args: () => trainIris('--activation', 'relu6'), message: /--activation: must be a known activation.*got "relu6"/ },
  { name: 'unknown loss', args: () => trainIris('--loss', 'hinge'), message: /--loss: must be one of auto, mse, .*got "hinge"/ },
  { name: 'regression loss for classes', args: () => trainIris('--loss', 'mse'), message: /--loss: is a regression loss but the task is classification.*got "mse"/ },
  { name: 'negative learning rate', args: () => trainIris('--lr', '-1'), message: /^backprop: --lr: must be a number > 0, got -1$/ },
  { name: 'hexadecimal learning rate', args: () => trainIris('--lr', '0x10'), message: /^backprop: --lr: must be a number, got "0x10"$/ },
  { name: 'empty learning rate', args: () => trainIris('--lr', ''), message: /^backprop: --lr: must be a number, got ""$/ },
  { name: 'learning rate 1e999', args: () => trainIris('--lr', '1e999'), message: /^backprop: --lr: must be a number, got "1e999"$/ },
  { name: 'fractional epochs', args: () => trainIris('--epochs', '2.5'), message: /^backprop: --epochs: must be an integer >= 1, got 2\.5$/ },
  { name: 'layers with a zero', args: () => trainIris('--layers', '64,0'), message: /^backprop: --layers: must be a list of positive integer widths such as 64,32, got "64,0"$/ },
  { name: 'empty layers', args: () => trainIris('--layers', ''), message: /^backprop: --layers: must be a list of positive integer widths such as 64,32, or none for no hidden layer, got ""$/ },
  { name: 'search grid with an empty layers choice', args: () => ['search', IRIS, '--target', 'species', '--grid', 'layers=32|', '--out', out], message: /^backprop: --grid layers: must be a list of positive integer widths such as 64,32, or none for no hidden layer, got ""$/ },
  { name: 'layers too wide to allocate', args: () => trainIris('--layers', '100000,100000'), message: /^backprop: --layers: makes a network of about 1\.0e\+10 parameters, too large to allocate, got "100000,100000"$/ },
  { name: 'gradcheck on more rows than it takes', args: () => ['gradcheck', model, '--rows', '1000000000000'], message: /^backprop: --rows: must be an integer in \[1, 1000000\], got "1000000000000"$/ },
  { name: 'dropout of 1', args: () => trainIris('--dropout', '1'), message: /^backprop: --dropout: must be a drop rate in \[0, 1\), got 1$/ },
  { name: 'unknown scaling', args: () => trainIris('--scale', 'robust'), message: /^backprop: --scale: must be one of standard, minmax, none, got "robust"$/ },
  { name: 'bad schedule', args: () => trainIris('--schedule', 'step:x:0.5'), message: /^backprop: --schedule: is not a valid schedule .*"step:x:0\.5"/ },
  { name: 'checkpoint directory that cannot be created', args: () => trainIris('--checkpoint', '/proc/backprop-cannot-create'), message: /^backprop: \/proc\/backprop-cannot-create: cannot create the checkpoint directory \(ENOENT/ },
  { name: 'early stopping without held-out rows', args: () => trainIris('--early-stopping', '3', '--validation-split', '0'), message: /^backprop: --early-stopping: needs held-out rows to watch \(a validation split above 0\), got 3$/ },
  { name: 'early stopping when the split rounds to no rows', args: () => train(file('few.csv', 'a,y\n1,x\n2,z\n3,x\n4,z\n'), '--early-stopping', '2'), message: /^backprop: --early-stopping: needs held-out rows to watch, but --validation-split 0\.1 of 4 rows holds out none, got 2$/ },
  { name: 'cv with early stopping on folds too small to hold rows out', args: () => ['cv', file('six.csv', 'a,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n'), '--target', 'y', '--folds', '2', '--early-stopping', '2'], message: /^backprop: --early-stopping: needs held-out rows to watch, but --validation-split 0\.1 of fold 1's 3 training rows holds out none, got 2$/ },
  { name: 'search with early stopping on folds too small to hold rows out', args: () => ['search', file('six2.csv', 'a,y\n1,1\n2,2\n3,3\n4,4\n5,5\n6,6\n'), '--target', 'y', '--folds', '2', '--grid', 'lr=0.1,0.01', '--early-stopping', '2', '--out', out], message: /^backprop: --early-stopping: needs held-out rows to watch, but --validation-split 0\.1 of fold 1's 3 training rows holds out none, got 2$/ },
  { name: 'a semicolon-separated file with decimal commas', args: () => train(file('eu.csv', 'a;b;y\n1,5;2,3;x\n')), message: /eu\.csv, line 2: this row has 3 fields but the header has 1; the header was read as one column containing ";": the file looks separated by ";" rather than commas$/ },
  { name: 'Latin-1 bytes', args: () => { const path = join(dir, 'latin1.csv'); writeFileSync(path, Buffer.from('name,y\ncaf\xe9,1\nb,2\n', 'latin1')); return train(path); }, message: /latin1\.csv, line 2: the data file is not UTF-8 text \(byte 0xE9\); save it as UTF-8$/ },
  { name: 'a semicolon-separated file', args: () => train(file('semi.csv', 'a;b;y\n1;2;x\n3;4;z\n')), message: /semi\.csv, column "y": no target column "y"; the columns are "a;b;y"; the header was read as one column containing ";": the file looks separated by ";" rather than commas$/ },
  { name: 'explain --model with --seed', args: () => ['explain', '--model', model, '--input', '1,2,3,4', '--target', '0', '--seed', '5'], message: /^backprop: --seed: applies to a network built with --layers, not to one loaded with --model, got "5"$/ },
  { name: 'momentum with adam', args: () => trainIris('--momentum', '0.9'), message: /^backprop: --momentum: applies to sgd and rmsprop only, not adam, got 0\.9$/ },
  { name: 'scale-target neither yes nor no', args: () => trainIris('--scale-target', 'maybe'), message: /^backprop: --scale-target: must be yes or no \(or true, false\), got "maybe"$/ },
  { name: 'unknown task', args: () => trainIris('--task', 'ranking'), message: /^backprop: --task: must be one of auto, classification, regression, got "ranking"$/ },
  { name: 'train --out -', args: () => ['train', IRIS, '--target', 'species', '--epochs', '1', '--out', '-'], message: /^backprop: --out: must be a file name \(a model is not written to stdout; \.\/- names a file called "-"\), got "-"$/ },
  { name: 'search --out -', args: () => ['search', IRIS, '--target', 'species', '--random', '1', '--out', '-'], message: /^backprop: --out: must be a file name/ },
  { name: 'unknown option', args: () => trainIris('--learning-rate', '0.1'), message: /^backprop: unknown option '--learning-rate'/ },
  { name: 'missing --target', args: () => ['train', IRIS, '--out', out], message: /^backprop: required option '--target <column>' not specified$/ },
  { name: 'misspelt --target', args: () => ['train', IRIS, '--traget', 'species', '--out', out], message: /^backprop: unknown option '--traget' \(Did you mean --target\?\)$/ },
  { name: 'cv without --target', args: () => ['cv', IRIS], message: /^backprop: required option '--target <column>' not specified$/ },
  { name: 'search without --target', args: () => ['search', IRIS, '--random', '1', '--out', out], message: /^backprop: required option '--target <column>' not specified$/ },
  { name: 'cv with one fold', args: () => ['cv', IRIS, '--target', 'species', '--folds', '1'], message: /^backprop: --folds: must be an integer >= 2, got "1"$/ },
  { name: 'cv with more folds than a class has rows', args: () => ['cv', IRIS, '--target', 'species', '--folds', '51'], message: /^backprop: --folds: must be at most the size of the smallest class \(50 rows\), got "51"$/ },
  { name: 'search grid with an unknown option', args: () => ['search', IRIS, '--target', 'species', '--grid', 'rate=1,2', '--out', out], message: /^backprop: --grid: unknown option "rate" in "rate=1,2"/ },
  { name: 'search grid with a bad value', args: () => ['search', IRIS, '--target', 'species', '--grid', 'lr=0.1,abc', '--out', out], message: /^backprop: --grid lr: must be a number, got "abc"$/ },
  { name: 'search space with an invalid end', args: () => ['search', IRIS, '--target', 'species', '--random', '1', '--space', 'lr=-1..1', '--out', out], message: /^backprop: --space lr: must be a number > 0, got -1$/ },
  { name: 'search space whose draws could round to an invalid value', args: () => ['search', IRIS, '--target', 'species', '--random', '1', '--space', 'dropout=0..1', '--out', out], message: /^backprop: --space dropout: must be a drop rate in \[0, 1\), got 1$/ },
  { name: 'search without --grid or --random', args: () => ['search', IRIS, '--target', 'species', '--out', out], message: /^backprop: search: give either --grid <settings> or --random <n>$/ },
  { name: 'data make of an unknown set', args: () => ['data', 'make', 'swissroll', '--out', out], message: /^backprop: <set>: must be one of xor, circles, moons, spiral, blobs, sin, got "swissroll"$/ },
  { name: 'data make with --n 0', args: () => ['data', 'make', 'xor', '--n', '0', '--out', out], message: /^backprop: --n: must be an integer in \[1, 10000000\], got "0"$/ },
  { name: 'data make with more rows than a set has', args: () => ['data', 'make', 'moons', '--n', '1e9', '--out', out], message: /^backprop: --n: must be an integer in \[1, 10000000\], got "1e9"$/ },
  { name: 'data make with a seed beyond 32 bits', args: () => ['data', 'make', 'moons', '--seed', '99999999999', '--out', out], message: /^backprop: --seed: must be an integer in \[0, 4294967295\], got "99999999999"$/ },
  { name: 'corrupt model file', args: () => ['predict', file('corrupt.json', '{"format": "backprop.model", "layers": ['), IRIS, '--out', out], message: /corrupt\.json: not a valid backprop model: model document: not valid JSON/ },
  { name: 'model file of another version', args: () => ['evaluate', file('v2.json', JSON.stringify({ ...JSON.parse(readFileSync(model, 'utf8')), version: 2 })), IRIS], message: /v2\.json: not a valid backprop model: version: unsupported version 2/ },
  { name: 'model file with a bad weight', args: () => ['info', file('weight.json', JSON.stringify(withWeight('abc')))], message: /weight\.json: not a valid backprop model: layers\[0\]\.weights\[0\]\[0\]: expected a finite number, got "abc"/ },
  { name: 'model whose preprocessing does not match its layers', args: () => ['predict', file('mismatch.json', JSON.stringify(withFeatures(['a', 'b']))), IRIS, '--out', out], message: /mismatch\.json: not a valid backprop model: preprocessing\.encoder/ },
  { name: 'model without preprocessing used on CSV', args: () => ['predict', file('bare.json', JSON.stringify({ ...JSON.parse(readFileSync(model, 'utf8')), preprocessing: undefined })), IRIS, '--out', out], message: /bare\.json: the model has no preprocessing/ },
  { name: 'model file that does not exist', args: () => ['evaluate', join(dir, 'none.json'), IRIS], message: /none\.json: cannot read the model file \(no such file\)/ },
  { name: 'prediction data whose columns do not match', args: () => ['predict', model, DIGITS, '--out', out], message: /digits\.csv, column "sepal_length": the data lacks columns the model needs: "sepal_length", "sepal_width", "petal_length", "petal_width"/ },
  { name: 'prediction data with a non-number', args: () => ['predict', model, file('p.csv', 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n4.9,3.0,abc,0.2\n'), '--out', out], message: /p\.csv, line 3, column "petal_length": "abc" is not a number/ },
  { name: 'evaluation data without the target', args: () => ['evaluate', model, file('e.csv', 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n')], message: /e\.csv, column "species": no target column "species"/ },
  { name: 'evaluation data with an unknown class', args: () => ['evaluate', model, file('u.csv', 'sepal_length,sepal_width,petal_length,petal_width,species\n5.1,3.5,1.4,0.2,daisy\n')], message: /u\.csv, line 2, column "species": unknown class "daisy"/ },
  { name: 'explain with a bad input', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,x', '--target', '1'], message: /^backprop: --input: must be a number, got "x"$/ },
  { name: 'explain with the wrong input width', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2,0.3', '--target', '1'], message: /^backprop: --input: must give 2 numbers per sample, got 3/ },
  { name: 'explain with an unknown format', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2', '--target', '1', '--format', 'pdf'], message: /^backprop: --format: must be text, markdown or json, got "pdf"$/ },
  { name: 'explain with an unknown activation', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2', '--target', '1', '--activation', 'relu6'], message: /^backprop: --activation: unknown activation "relu6"/ },
  { name: 'explain with an unknown output activation', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2', '--target', '1', '--output-activation', 'relu6'], message: /^backprop: --output-activation: unknown activation "relu6"/ },
  { name: 'train with binaryCrossEntropy after an identity output', args: () => ['train', file('binary.csv', 'a,b,label\n0,1,x\n1,0,y\n0.5,0.2,x\n0.1,0.9,y\n'), '--target', 'label', '--loss', 'binaryCrossEntropy', '--output-activation', 'identity', '--out', out], message: /^backprop: --output-activation: does not give probabilities in \[0, 1\], which binaryCrossEntropy takes; use sigmoid \(or binaryCrossEntropyWithLogits with identity\), got "identity"$/ },
  { name: 'train with softmaxCrossEntropy after a sigmoid output', args: () => trainIris('--output-activation', 'sigmoid'), message: /^backprop: --output-activation: squashes the logits before softmaxCrossEntropy applies softmax to them; use identity, got "sigmoid"$/ },
  { name: 'explain with softmaxCrossEntropy after its default sigmoid output', args: () => ['explain', '--layers', '2,3,2', '--input', '0.05,0.1', '--target', '1', '--loss', 'softmaxCrossEntropy'], message: /^backprop: --output-activation: squashes the logits before softmaxCrossEntropy applies softmax to them; use identity \(for --loss softmaxCrossEntropy\), got "sigmoid"$/ },
  { name: 'explain with an unknown initialiser', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2', '--target', '1', '--init', 'hee'], message: /^backprop: --init: unknown initialiser "hee"/ },
  { name: 'explain with a negative seed', args: () => ['explain', '--layers', '2,2,1', '--input', '0.1,0.2', '--target', '1', '--seed', '-1'], message: /^backprop: --seed: must be an integer in \[0, 4294967295\], got "-1"$/ },
  { name: 'prediction data with only a header', args: () => ['predict', model, file('h.csv', 'sepal_length,sepal_width,petal_length,petal_width\n'), '--out', out], message: /h\.csv, line 2: the file has a header row but no data rows/ },
  { name: 'a learning rate that makes training diverge', args: () => trainIris('--lr', '1e30'), message: /^backprop: training stopped by the non-finite guard: .*the learning rate 1e\+30 .*; no model was saved; .*out\.json is left as it was$/ },
  { name: 'search whose best configuration diverges', args: () => ['search', IRIS, '--target', 'species', '--grid', 'lr=1e30', '--folds', '2', '--epochs', '1', '--out', out], message: /^backprop: training stopped by the non-finite guard: .*; no model was saved; .*out\.json is left as it was$/ },
  { name: 'gradcheck of a model without a dense layer', args: () => ['gradcheck', file('nodense.json', JSON.stringify(withoutDense()))], message: /^backprop: .*nodense\.json: the model has no dense layer, so no weights to check$/ },
  { name: 'explain with a model without a dense layer', args: () => ['explain', '--model', file('nodense.json', JSON.stringify(withoutDense())), '--input', '1', '--target', '1'], message: /^backprop: .*nodense\.json: the model has no dense layer, so no weights to explain$/ },
  { name: 'corrupt checkpoint', args: () => trainIris('--resume', checkpointDirectory('{"format": "backprop.checkpoint"')), message: /checkpoint\.json: not a valid checkpoint: not valid JSON/ },
  { name: 'checkpoint of another kind', args: () => trainIris('--resume', checkpointDirectory('{"format": "other"}')), message: /checkpoint\.json: not a valid checkpoint: format must be "backprop\.checkpoint", got "other"/ },
  { name: 'resume from a directory without a checkpoint', args: () => trainIris('--resume', dir), message: /--resume: no checkpoint in .* \(expected .*checkpoint\.json/ },
];

function checkpointDirectory(text: string): string {
  const path = join(dir, `checkpoint-${text.length}`);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'checkpoint.json'), text);
  return path;
}

function withWeight(value: unknown): Record<string, unknown> {
  const document = JSON.parse(readFileSync(model, 'utf8'));
  document.layers[0].weights[0][0] = value;
  return document;
}

/** A valid model document with one activation layer and no weights. */
function withoutDense(): Record<string, unknown> {
  const document = JSON.parse(readFileSync(model, 'utf8'));
  return { ...document, layers: [{ type: 'activation', activation: 'relu' }], preprocessing: undefined };
}

function withFeatures(names: string[]): Record<string, unknown> {
  const document = JSON.parse(readFileSync(model, 'utf8'));
  document.preprocessing.encoder.featureNames = names;
  return document;
}

for (const { name, args, message } of CASES) {
  test(`bad input: ${name}`, () => {
    writeFileSync(out, PREVIOUS);
    const result = backprop(args());
    assert.equal(result.status, 2, `exit status (stderr: ${result.stderr})`);
    assert.match(result.stderr, /^backprop: [^\n]+\n$/, 'one line on stderr');
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.match(result.stderr.trimEnd(), message);
    assert.equal(readFileSync(out, 'utf8'), PREVIOUS, 'the output file is left as it was');
  });
}

test('an output path in a missing directory is refused before training starts', () => {
  const missingDirectory = join(dir, 'no', 'such', 'dir', 'model.json');
  const result = backprop(['train', IRIS, '--target', 'species', '--epochs', '1', '--out', missingDirectory]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /model\.json: cannot write the file \(the directory .* does not exist\)/);
  assert.equal(result.stdout, '', 'nothing was trained');
});

test('an output path where no file can be created, or an empty one, is refused before training starts', () => {
  for (const [path, message] of [['/proc/backprop-model.json', /^backprop: \/proc\/backprop-model\.json: cannot write the file \((permission denied|cannot create a file in \/proc: \w+)\)\n$/], ['', /^backprop: cannot write the file "" \(an empty file name\)\n$/]] as const) {
    const result = backprop(['train', IRIS, '--target', 'species', '--epochs', '1', '--out', path]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stdout, '', 'nothing was trained');
  }
});

test('an output that is one of the inputs (by any name) is refused and the input is left as it was', () => {
  const data = file('own.csv', rows('1'));
  const modelCopy = file('own.json', readFileSync(model, 'utf8'));
  const cases: [string[], RegExp][] = [
    [['train', data, '--target', 'y', '--epochs', '1', '--out', data], /^backprop: --out: is the input file .*own\.csv; writing there would replace it \(choose another file name\), got ".*own\.csv"\n$/],
    [['train', data, '--target', 'y', '--epochs', '1', '--out', join(dir, '.', 'own.csv')], /^backprop: --out: is the input file .*own\.csv;/],
    [['search', data, '--target', 'y', '--random', '1', '--epochs', '1', '--out', data], /^backprop: --out: is the input file .*own\.csv;/],
    [['predict', modelCopy, IRIS, '--out', modelCopy], /^backprop: --out: is the input file .*own\.json;/],
  ];
  for (const [args, message] of cases) {
    const result = backprop(args);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  assert.equal(readFileSync(data, 'utf8'), rows('1'), 'the data file is untouched');
  assert.equal(readFileSync(modelCopy, 'utf8'), readFileSync(model, 'utf8'), 'the model file is untouched');
});

test('--out - of predict and data make writes to stdout, as "-" reads stdin, and makes no file named "-"', () => {
  for (const args of [['predict', model, IRIS, '--out', '-'], ['data', 'make', 'xor', '--n', '3', '--out', '-']]) {
    const result = backprop(args, { cwd: dir });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, args[0] === 'predict' ? /^species,P\(species=setosa\)/ : /^x1,x2,label\n/);
    assert.equal(existsSync(join(dir, '-')), false);
  }
  for (const args of [['train', IRIS, '--target', 'species', '--epochs', '1', '--out', '-']]) {
    assert.equal(backprop(args, { cwd: dir }).status, 2);
    assert.equal(existsSync(join(dir, '-')), false);
  }
});
