import { gradBuffer, needsGrad, record } from '../autograd/index.js';
import { backend } from '../kernels/index.js';
import { Tensor, allocate, shapeSize } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../util/errors.js';

/** The same values with another shape of equal size; one axis may be −1 (inferred). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = shape.slice();
  const unknown = target.indexOf(-1);
  if (unknown >= 0) {
    const known = shapeSize(target.filter((_, i) => i !== unknown));
    if (known === 0 || x.size % known !== 0) throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} to ${formatShape(shape)}`);
    target[unknown] = x.size / known;
  }
  if (!target.every((d) => Number.isInteger(d) && d >= 0) || shapeSize(target) !== x.size) {
    throw new ShapeError(`reshape: cannot reshape ${formatShape(x.shape)} (size ${x.size}) to ${formatShape(shape)}`);
  }
  // Shares the data: operations never write into their inputs, so a view is safe.
  const out = new Tensor(x.data, target);
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const gradX = gradBuffer(x)!;
      backend().binary('add', gradX, [x.size], gradOut, [x.size], gradX, [x.size]);
    });
  }
  return out;
}

/** Flattens all axes after the first: [batch, ...] → [batch, features]. */
export function flatten(x: Tensor): Tensor {
  return reshape(x, [x.shape[0] ?? 1, -1]);
}

/** The transpose of a 2-D tensor (a copy). */
export function transpose(x: Tensor): Tensor {
  if (x.rank !== 2) throw new ShapeError(`transpose: expected a 2-D tensor, got shape ${formatShape(x.shape)}`);
  const [rows, cols] = x.shape;
  const out = new Tensor(allocate(x.dtype, x.size), [cols, rows]);
  transposeInto(x.data, rows, cols, out.data, false);
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => transposeInto(gradOut, cols, rows, gradBuffer(x)!, true));
  }
  return out;
}

function transposeInto(source: ArrayLike<number>, rows: number, cols: number, target: Float32Array | Float64Array, accumulate: boolean): void {
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      if (accumulate) target[c * rows + r] += source[r * cols + c];
      else target[c * rows + r] = source[r * cols + c];
    }
}

/** Rows start..end−1 along the first axis (a copy). */
export function sliceRows(x: Tensor, start: number, end: number): Tensor {
  const rows = x.shape[0];
  if (x.rank < 1 || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > rows || start > end) {
    throw new ValueError(`sliceRows: rows ${formatValue(start)}..${formatValue(end)} are out of range for shape ${formatShape(x.shape)}`);
  }
  const rowSize = x.size / Math.max(rows, 1);
  const out = new Tensor(x.data.slice(start * rowSize, end * rowSize), [end - start, ...x.shape.slice(1)]);
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const gradX = gradBuffer(x)!;
      const offset = start * rowSize;
      for (let i = 0; i < gradOut.length; i++) gradX[offset + i] += gradOut[i];
    });
  }
  return out;
}

/** The rows at `indices` along the first axis, in that order (a batch from a data set). */
export function gatherRows(x: Tensor, indices: ArrayLike<number>): Tensor {
  const rows = x.shape[0];
  if (x.rank < 1) throw new ShapeError(`gatherRows: expected at least 1 axis, got shape ${formatShape(x.shape)}`);
  const rowSize = rows === 0 ? 0 : x.size / rows;
  const out = new Tensor(allocate(x.dtype, indices.length * rowSize), [indices.length, ...x.shape.slice(1)]);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i];
    if (!Number.isInteger(row) || row < 0 || row >= rows) throw new ValueError(`gatherRows: index ${i} is ${row}, outside [0, ${rows})`);
    out.data.set(x.data.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
  }
  if (needsGrad(x)) {
    record(out, [x], (gradOut) => {
      const gradX = gradBuffer(x)!;
      for (let i = 0; i < indices.length; i++) {
        const base = indices[i] * rowSize;
        for (let j = 0; j < rowSize; j++) gradX[base + j] += gradOut[i * rowSize + j];
      }
    });
  }
  return out;
}

/** Joins tensors along `axis` (default 0); all other axes must match. */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  if (tensors.length === 0) throw new ValueError('concat: need at least one tensor');
  const first = tensors[0];
  const a = axis < 0 ? axis + first.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= first.rank) throw new ValueError(`concat: axis ${axis} is out of range for rank ${first.rank}`);
  for (const t of tensors) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== a && d !== first.shape[i]) || t.dtype !== first.dtype) {
      throw new ShapeError(`concat: shapes ${tensors.map((x) => formatShape(x.shape)).join(', ')} differ outside axis ${axis}`);
    }
  }
  const outer = shapeSize(first.shape.slice(0, a));
  const inner = shapeSize(first.shape.slice(a + 1));
  const total = tensors.reduce((s, t) => s + t.shape[a], 0);
  const outShape = first.shape.slice();
  outShape[a] = total;
  const out = new Tensor(allocate(first.dtype, outer * total * inner), outShape);
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    const block = t.shape[a] * inner;
    for (let o = 0; o < outer; o++) out.data.set(t.data.subarray(o * block, (o + 1) * block), o * total * inner + offset * inner);
    offsets.push(offset);
    offset += t.shape[a];
  }
  if (tensors.some((t) => needsGrad(t))) {
    record(out, tensors, (gradOut) => {
      tensors.forEach((t, index) => {
        const gradT = gradBuffer(t);
        if (!gradT) return;
        const block = t.shape[a] * inner;
        for (let o = 0; o < outer; o++) {
          const base = o * total * inner + offsets[index] * inner;
          for (let j = 0; j < block; j++) gradT[o * block + j] += gradOut[base + j];
        }
      });
    });
  }
  return out;
}
