import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, classLabel, encodeTable, fitEncoder, inferTask, numericColumnMask, parseCsv, parseEncoder, type Encoder } from '../../src/data/index.js';

const csv = (text: string, source = 'train.csv') => parseCsv(text, source);

const TRAIN = 'height,color,weight,kind\n1.5,red,10,cat\n2,blue,12,dog\n0.5,red,3,cat\n3,green,30,dog\n';

test('features: numeric as is, categorical one-hot named column=category in sorted order; classes sorted', () => {
  const encoder = fitEncoder(csv(TRAIN), { target: 'kind' });
  assert.deepEqual(encoder.featureNames, ['height', 'color=blue', 'color=green', 'color=red', 'weight']);
  assert.deepEqual(encoder.target, { name: 'kind', task: 'classification', classes: ['cat', 'dog'], labelsAreNumbers: false });
  assert.deepEqual(numericColumnMask(encoder), [true, false, false, false, true]);
  const { x, y, lines } = encodeTable(encoder, csv(TRAIN));
  assert.deepEqual([x.rows, x.columns], [4, 5]);
  assert.deepEqual([...x.data], [1.5, 0, 0, 1, 10, 2, 1, 0, 0, 12, 0.5, 0, 0, 1, 3, 3, 0, 1, 0, 30]);
  assert.ok(y instanceof Int32Array);
  assert.deepEqual([...y], [0, 1, 0, 1]);
  assert.deepEqual(lines, [2, 3, 4, 5]);
  assert.equal(classLabel(encoder, 1), 'dog');
});

test('the encoder survives JSON and encodes new rows found by name, in any column order, ignoring extra columns', () => {
  const encoder = fitEncoder(csv(TRAIN), { target: 'kind' });
  const restored = parseEncoder(JSON.parse(JSON.stringify(encoder)), 'model.json');
  assert.deepEqual(restored, encoder);
  const fresh = csv('kind,extra,weight,color,height\ndog,zz,7,green,1\ncat,yy,8,blue,2\n', 'new.csv');
  const a = encodeTable(encoder, fresh);
  const b = encodeTable(restored, fresh);
  assert.deepEqual([...a.x.data], [1, 0, 1, 0, 7, 2, 1, 0, 0, 8]);
  assert.deepEqual(b, a);
  assert.deepEqual([...(a.y ?? [])], [1, 0]);
});

test('prediction data: the target column may be absent, or present and ignored', () => {
  const encoder = fitEncoder(csv(TRAIN), { target: 'kind' });
  const unlabelled = csv('height,color,weight\n1,red,2\n', 'new.csv');
  assert.equal(encodeTable(encoder, unlabelled, { target: 'optional' }).y, null);
  assert.equal(encodeTable(encoder, unlabelled, { target: 'ignore' }).y, null);
  assert.throws(() => encodeTable(encoder, unlabelled), {
    message: 'new.csv, column "kind": no target column "kind"; the columns are "height", "color", "weight"',
  });
  const labelledWithNewClass = csv('height,color,weight,kind\n1,red,2,bird\n', 'new.csv');
  assert.equal(encodeTable(encoder, labelledWithNewClass, { target: 'ignore' }).y, null);
  assert.throws(() => encodeTable(encoder, labelledWithNewClass, { target: 'optional' }), {
    message: 'new.csv, line 2, column "kind": unknown class "bird"; the model knows "cat", "dog"',
  });
});

test('numeric class labels are matched by value, so "1.0" is class "1"', () => {
  const encoder = fitEncoder(csv('x,y\n0,0\n1,1\n2,0\n3,1\n4,2\n5,2\n'), { target: 'y' });
  assert.deepEqual(encoder.target, { name: 'y', task: 'classification', classes: ['0', '1', '2'], labelsAreNumbers: true });
  assert.deepEqual([...(encodeTable(encoder, csv('x,y\n1,1.0\n2,2e0\n3,-0\n')).y ?? [])], [1, 2, 0]);
});

const taskCases: { name: string; text: string; task: string; reason: string }[] = [
  { name: 'a categorical target', text: 'x,y\n1,a\n2,b\n', task: 'classification', reason: 'target "y" is categorical' },
  { name: 'few integer values', text: 'x,y\n1,0\n2,1\n3,1\n4,0\n', task: 'classification', reason: 'target "y" has 2 distinct integer values in 4 rows' },
  { name: 'non-integer values', text: 'x,y\n1,0.5\n2,1\n3,1\n4,0\n', task: 'regression', reason: 'target "y" is numeric and has non-integer values' },
  { name: 'too many distinct integers', text: 'x,y\n' + Array.from({ length: 50 }, (_, i) => `${i},${i % 21}`).join('\n'), task: 'regression', reason: 'target "y" is numeric and has 21 distinct values (more than 20)' },
  { name: 'distinct integers in too few rows', text: 'x,y\n1,1\n2,2\n3,3\n4,3\n', task: 'regression', reason: 'target "y" is numeric and has 3 distinct values in only 4 rows' },
];

for (const { name, text, task, reason } of taskCases) {
  test(`task inference: ${name} → ${task}`, () => {
    assert.deepEqual(inferTask(csv(text), 'y'), { task, reason });
    assert.equal(fitEncoder(csv(text), { target: 'y' }).target.task, task);
  });
}

test('the task option overrides inference; a regression target must be numeric', () => {
  const integers = csv('x,y\n1,0\n2,1\n3,1\n4,0\n');
  assert.equal(fitEncoder(integers, { target: 'y', task: 'regression' }).target.task, 'regression');
  const reals = csv('x,y\n1,0.5\n2,1.5\n3,0.5\n');
  // Non-integer numbers are a continuous target, not classes, unless the column is declared categorical.
  assert.throws(() => fitEncoder(reals, { target: 'y', task: 'classification' }), /line 2, column "y": "0\.5" is not an integer: the target is continuous/);
  assert.deepEqual(fitEncoder(reals, { target: 'y', task: 'classification', types: { y: 'categorical' } }).target, { name: 'y', task: 'classification', classes: ['0.5', '1.5'], labelsAreNumbers: false });
  assert.throws(() => fitEncoder(csv('x,y\n1,a\n2,b\n'), { target: 'y', task: 'regression' }), {
    message: 'train.csv, line 2, column "y": "a" is not a number (not a decimal number); a regression target must be numeric',
  });
  // Forcing the target's column type to categorical keeps its labels as text.
  assert.deepEqual(fitEncoder(csv('x,y\n1,01\n2,1\n3,01\n4,1\n'), { target: 'y', types: { y: 'categorical' } }).target, {
    name: 'y', task: 'classification', classes: ['01', '1'], labelsAreNumbers: false,
  });
});

const fitErrors: { name: string; text: string; options: Parameters<typeof fitEncoder>[1]; message: string }[] = [
  { name: 'missing target column', text: TRAIN, options: { target: 'species' }, message: 'train.csv, column "species": no target column "species"; the columns are "height", "color", "weight", "kind"' },
  { name: 'target differing by case', text: TRAIN, options: { target: 'Kind' }, message: 'train.csv, column "Kind": no target column "Kind" (did you mean "kind"?); the columns are "height", "color", "weight", "kind"' },
  { name: 'target with a typo', text: TRAIN, options: { target: 'wieght' }, message: 'train.csv, column "wieght": no target column "wieght" (did you mean "weight"?); the columns are "height", "color", "weight", "kind"' },
  { name: 'a semicolon-separated file', text: 'a;b;c\n1;2;3\n', options: { target: 'c' }, message: 'train.csv, column "c": no target column "c"; the columns are "a;b;c"; the header was read as one column containing ";": the file looks separated by ";" rather than commas' },
  { name: 'unknown feature', text: TRAIN, options: { target: 'kind', features: ['height', 'age'] }, message: 'train.csv, column "age": no feature column "age"; the columns are "height", "color", "weight", "kind"' },
  { name: 'target among the features', text: TRAIN, options: { target: 'kind', features: ['height', 'kind'] }, message: 'train.csv, column "kind": the target column cannot also be a feature' },
  { name: 'feature listed twice', text: TRAIN, options: { target: 'kind', features: ['height', 'height'] }, message: 'train.csv, column "height": the column is listed twice among the features' },
  { name: 'no features', text: 'y\n1\n2\n', options: { target: 'y' }, message: 'train.csv: no feature columns: the only column is the target "y"' },
  { name: 'a single class', text: 'x,y\n1,a\n2,a\n', options: { target: 'y' }, message: 'train.csv, column "y": the target has a single class "a"; classification needs at least two' },
  { name: 'too many categories', text: 'id,y\na,1\nb,2\nc,1\n', options: { target: 'y', maxCategories: 2 }, message: 'train.csv, column "id": the column has 3 distinct values, more than maxCategories (2); one-hot encoding would add a column for each (leave the column out, or raise the limit)' },
  { name: 'an encoded name collision', text: 'c,c=k,y\nk,1,0\nk,2,1\n', options: { target: 'y', task: 'regression' }, message: 'train.csv, column "c=k": two encoded columns would both be named "c=k"; rename a column' },
  { name: 'a continuous target taken as classes', text: 'x,y\n1,0\n2,1\n3,0.37\n', options: { target: 'y', task: 'classification' }, message: 'train.csv, line 4, column "y": "0.37" is not an integer: the target is continuous, so its values cannot be class labels; use task regression (--task regression), or declare the column categorical (types, --categorical) if these numbers name classes' },
  { name: 'unknown task', text: TRAIN, options: { target: 'kind', task: 'clustering' as never }, message: 'train.csv: task must be "classification", "regression" or "auto", got "clustering"' },
];

test('fitEncoder takes integer codes as classes, and non-integer codes when the column is declared categorical', () => {
  const integers = fitEncoder(csv('x,y\n1,0\n2,2\n3,1\n'), { target: 'y', task: 'classification' });
  assert.deepEqual(integers.target, { name: 'y', task: 'classification', classes: ['0', '1', '2'], labelsAreNumbers: true });
  const declared = fitEncoder(csv('x,y\n1,0.5\n2,1.5\n3,0.5\n'), { target: 'y', task: 'classification', types: { y: 'categorical' } });
  assert.equal(declared.target.task, 'classification');
  assert.deepEqual((declared.target as { classes: string[] }).classes, ['0.5', '1.5']);
});

for (const { name, text, options, message } of fitErrors) {
  test(`fitEncoder rejects: ${name}`, () => {
    assert.throws(() => fitEncoder(csv(text), options), { name: 'DataError', message });
  });
}

const encodeErrors: { name: string; text: string; message: string; line?: number; column?: string; value?: string }[] = [
  { name: 'missing feature columns', text: 'color,kind\nred,cat\n', message: 'new.csv, column "height": the data lacks columns the model needs: "height", "weight"; its columns are "color", "kind"', column: 'height' },
  { name: 'unseen category', text: 'height,color,weight\n1,red,2\n1,purple,2\n', message: 'new.csv, line 3, column "color": unknown category "purple"; the model knows "blue", "green", "red"', line: 3, column: 'color', value: 'purple' },
  { name: 'an empty feature cell', text: 'height,color,weight\n1,red,2\n,red,2\n', message: 'new.csv, line 3, column "height": missing value (empty cell); fill it in or drop the row', line: 3, column: 'height', value: '' },
  { name: 'an empty categorical cell', text: 'height,color,weight\n1,,2\n', message: 'new.csv, line 2, column "color": missing value (empty cell); fill it in or drop the row', line: 2 },
  { name: 'a non-number in a numeric column', text: 'height,color,weight\n1,red,0x10\n', message: 'new.csv, line 2, column "weight": "0x10" is not a number (hexadecimal, binary and octal literals are not accepted)', line: 2, column: 'weight', value: '0x10' },
  { name: 'Number("") would be 0', text: 'height,color,weight\n1,red,  \n', message: 'new.csv, line 2, column "weight": missing value (empty cell); fill it in or drop the row', line: 2 },
  { name: 'beyond float32', text: 'height,color,weight\n1,red,1e39\n', message: 'new.csv, line 2, column "weight": 1e39 is beyond float32\'s range (±3.4028234663852886e+38)', line: 2, value: '1e39' },
];

for (const bad of encodeErrors) {
  test(`encodeTable rejects: ${bad.name}`, () => {
    const encoder = fitEncoder(csv(TRAIN), { target: 'kind' });
    assert.throws(
      () => encodeTable(encoder, csv(bad.text, 'new.csv'), { target: 'ignore' }),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.equal(error.message, bad.message);
        if (bad.line !== undefined) assert.equal(error.line, bad.line);
        if (bad.column !== undefined) assert.equal(error.column, bad.column);
        if (bad.value !== undefined) assert.equal(error.value, bad.value);
        return true;
      },
    );
  });
}

test('a missing target cell is an error at encoding', () => {
  const encoder = fitEncoder(csv(TRAIN), { target: 'kind' });
  assert.throws(() => encodeTable(encoder, csv('height,color,weight,kind\n1,red,2,\n', 'new.csv')), {
    message: 'new.csv, line 2, column "kind": missing value (empty cell); fill it in or drop the row',
  });
});

test('regression targets come out as Float32Array values', () => {
  const encoder = fitEncoder(csv('x,y\n1,0.25\n2,1.5\n3,-7\n'), { target: 'y' });
  const { y } = encodeTable(encoder, csv('x,y\n1,0.25\n2,1.5\n3,-7\n'));
  assert.ok(y instanceof Float32Array);
  assert.deepEqual([...y], [0.25, 1.5, -7]);
});

const good = (): Encoder => fitEncoder(csv(TRAIN), { target: 'kind' });
const badDocuments: { name: string; edit: (doc: any) => unknown; message: string }[] = [
  { name: 'not an object', edit: () => [1], message: 'model.json: encoder must be an object, got [1]' },
  { name: 'wrong format', edit: (d) => ({ ...d, format: 'other' }), message: 'model.json: encoder.format must be "backprop-encoder", got "other"' },
  { name: 'wrong version', edit: (d) => ({ ...d, version: 2 }), message: 'model.json: encoder.version must be 1, got 2' },
  { name: 'no features', edit: (d) => ({ ...d, features: [] }), message: 'model.json: encoder.features must be a non-empty array, got []' },
  { name: 'bad feature type', edit: (d) => (d.features[0].type = 'text', d), message: 'model.json: encoder.features[0].type must be "numeric" or "categorical", got "text"' },
  { name: 'duplicate categories', edit: (d) => (d.features[1].categories = ['a', 'a'], d), message: 'model.json: encoder.features[1].categories must be a non-empty array of distinct strings, got ["a","a"]' },
  { name: 'stale featureNames', edit: (d) => (d.featureNames.pop(), d), message: 'model.json: encoder.featureNames must be the names the features give (5 columns), got ["height","color=blue","color=green","color=red"]' },
  { name: 'one class', edit: (d) => (d.target.classes = ['cat'], d), message: 'model.json: encoder.target.classes must be an array of at least two distinct strings, got ["cat"]' },
  { name: 'bad task', edit: (d) => (d.target.task = 'ranking', d), message: 'model.json: encoder.target.task must be "classification" or "regression", got "ranking"' },
];

for (const { name, edit, message } of badDocuments) {
  test(`parseEncoder rejects a corrupt document: ${name}`, () => {
    const doc = edit(JSON.parse(JSON.stringify(good())));
    assert.throws(() => parseEncoder(doc, 'model.json'), { name: 'DataError', message });
  });
}
