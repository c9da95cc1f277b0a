/** The data layer: CSV text → tables → encoded float32 matrices, scaling, splits, synthetic sets. */
export { DataError, formatLocation, type DataLocation } from './errors.js';
export { parseCsv, formatCsv, tableToCsv, type CsvOptions } from './csv.js';
export { parseStrictNumber, numberProblem, formatFloat32, FLOAT32_MAX } from './number.js';
export { columnIndex, isMissing, selectRows, dropRowsWithMissing, takeRows, takeValues, type Table, type Matrix } from './table.js';
export { profileColumn, profileColumns, type ColumnType, type ColumnProfile } from './infer.js';
export {
  fitEncoder,
  encodeTable,
  inferTask,
  numericColumnMask,
  classLabel,
  MAX_INTEGER_CLASSES,
  type Encoder,
  type EncoderOptions,
  type EncodedData,
  type FeatureEncoding,
  type TargetEncoding,
  type Task,
} from './encoder.js';
export { parseEncoder, parseScaler } from './documents.js';
export { fitScaler, applyScaler, invertScaler, SCALE_METHODS, type Scaler, type ScaleMethod, type FitScalerOptions } from './scale.js';
export { trainValidationSplit, stratifiedTrainValidationSplit, heldOutRows, kFold, stratifiedKFold, batches, batchCount, type Split } from './split.js';
export {
  makeXor,
  makeCircles,
  makeMoons,
  makeSpiral,
  makeBlobs,
  makeSin,
  syntheticToCsv,
  SYNTHETIC_DATA_SETS,
  SYNTHETIC_MAX_ROWS,
  type SyntheticData,
  type SyntheticOptions,
  type SyntheticName,
} from './synthetic.js';
