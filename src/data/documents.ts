/**
 * Checking encoder and scaler documents read back from JSON (a model file may be hand-edited,
 * truncated or from another program). Each check names the document's source, the field path and
 * the bad value, e.g. `model.json: encoder.features[1].categories must be an array of distinct
 * strings, got 3`.
 */
import { formatValue } from '../util/errors.js';
import { encodedNames, type Encoder, type FeatureEncoding, type TargetEncoding } from './encoder.js';
import { DataError } from './errors.js';
import { SCALE_METHODS, type Scaler } from './scale.js';

/** Validates a parsed JSON value as an Encoder and returns it typed; `source` names the document. */
export function parseEncoder(value: unknown, source = 'encoder'): Encoder {
  const fail = (path: string, requirement: string, got: unknown): never => {
    throw new DataError({ source, value: got }, `${path} must be ${requirement}, got ${formatValue(got)}`);
  };
  const doc = record(value) ?? fail('encoder', 'an object', value);
  if (doc.format !== 'backprop-encoder') fail('encoder.format', '"backprop-encoder"', doc.format);
  if (doc.version !== 1) fail('encoder.version', '1', doc.version);
  if (!Array.isArray(doc.features) || doc.features.length === 0) fail('encoder.features', 'a non-empty array', doc.features);
  const features = (doc.features as unknown[]).map((entry, k): FeatureEncoding => {
    const path = `encoder.features[${k}]`;
    const feature = record(entry) ?? fail(path, 'an object', entry);
    if (!isName(feature.name)) fail(`${path}.name`, 'a non-empty string', feature.name);
    if (feature.type === 'numeric') return { name: feature.name as string, type: 'numeric' };
    if (feature.type !== 'categorical') fail(`${path}.type`, '"numeric" or "categorical"', feature.type);
    if (!isDistinctStrings(feature.categories, 1)) fail(`${path}.categories`, 'a non-empty array of distinct strings', feature.categories);
    return { name: feature.name as string, type: 'categorical', categories: [...(feature.categories as string[])] };
  });
  const featureNames = encodedNames(features, source);
  if (!Array.isArray(doc.featureNames) || doc.featureNames.join('\u0000') !== featureNames.join('\u0000')) {
    fail('encoder.featureNames', `the names the features give (${featureNames.length} columns)`, doc.featureNames);
  }
  const target = record(doc.target) ?? fail('encoder.target', 'an object', doc.target);
  if (!isName(target.name)) fail('encoder.target.name', 'a non-empty string', target.name);
  let targetEncoding: TargetEncoding;
  if (target.task === 'regression') targetEncoding = { name: target.name as string, task: 'regression' };
  else {
    if (target.task !== 'classification') fail('encoder.target.task', '"classification" or "regression"', target.task);
    if (!isDistinctStrings(target.classes, 2)) fail('encoder.target.classes', 'an array of at least two distinct strings', target.classes);
    if (typeof target.labelsAreNumbers !== 'boolean') fail('encoder.target.labelsAreNumbers', 'true or false', target.labelsAreNumbers);
    targetEncoding = { name: target.name as string, task: 'classification', classes: [...(target.classes as string[])], labelsAreNumbers: target.labelsAreNumbers as boolean };
  }
  if (features.some((f) => f.name === targetEncoding.name)) fail('encoder.target.name', 'a column that is not also a feature', targetEncoding.name);
  return { format: 'backprop-encoder', version: 1, features, featureNames, target: targetEncoding };
}

/** Validates a parsed JSON value as a Scaler; `columns`, when given, is the width it must have. */
export function parseScaler(value: unknown, source = 'scaler', columns?: number): Scaler {
  const fail = (path: string, requirement: string, got: unknown): never => {
    throw new DataError({ source, value: got }, `${path} must be ${requirement}, got ${formatValue(got)}`);
  };
  const doc = record(value) ?? fail('scaler', 'an object', value);
  if (doc.format !== 'backprop-scaler') fail('scaler.format', '"backprop-scaler"', doc.format);
  if (doc.version !== 1) fail('scaler.version', '1', doc.version);
  if (!SCALE_METHODS.includes(doc.method as never)) fail('scaler.method', SCALE_METHODS.map((m) => `"${m}"`).join(', ').replace(/, ([^,]*)$/, ' or $1'), doc.method);
  const numbers = (field: 'offset' | 'scale', nonZero: boolean): number[] => {
    const list = doc[field];
    const ok = Array.isArray(list) && list.every((x) => typeof x === 'number' && Number.isFinite(x) && (!nonZero || x !== 0));
    if (!ok) fail(`scaler.${field}`, `an array of finite${nonZero ? ' non-zero' : ''} numbers`, list);
    const length = (list as number[]).length;
    if (columns !== undefined && length !== columns) {
      throw new DataError({ source, value: length }, `scaler.${field} has ${length} numbers but the model has ${columns} feature columns`);
    }
    return [...(list as number[])];
  };
  const offset = numbers('offset', false);
  const scale = numbers('scale', true);
  if (offset.length !== scale.length) {
    throw new DataError({ source, value: scale.length }, `scaler.scale has ${scale.length} numbers but scaler.offset has ${offset.length}`);
  }
  return { format: 'backprop-scaler', version: 1, method: doc.method as Scaler['method'], offset, scale };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isName(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

function isDistinctStrings(value: unknown, minLength: number): boolean {
  return Array.isArray(value) && value.length >= minLength && value.every((x) => typeof x === 'string') && new Set(value).size === value.length;
}
