import type { DType, FloatArray } from '../kernels/index.js';
import { BackpropError, ShapeError, ValueError, formatShape, formatValue } from '../util/errors.js';

/** Nested JavaScript arrays of numbers, e.g. [[1, 2], [3, 4]]. */
export type NestedArray = number | NestedArray[];

/**
 * How a recorded operation sends the gradient back: given ∂C/∂output (same shape as the output,
 * in `gradOutput`), it adds ∂C/∂input into each input's gradient buffer (`gradBuffer(input)`).
 */
export type BackwardFn = (gradOutput: FloatArray) => void;

export interface TensorOptions {
  /** 'float32' (default) or 'float64'. */
  dtype?: DType;
  /** Whether `backward()` should fill this tensor's `.grad`. Default false. */
  requiresGrad?: boolean;
}

/**
 * A dense, row-major array of float32 (default) or float64 numbers with a shape.
 * Tensors produced by operations on tensors that require a gradient remember how to send the
 * gradient back (`parents` and `backwardFn`); `loss.backward()` walks that record in reverse.
 */
export class Tensor {
  declare readonly data: FloatArray;
  declare readonly shape: readonly number[];
  /** 'float32' or 'float64', from the data's type (a field, read on every op). */
  declare readonly dtype: DType;
  /** Whether backward() accumulates ∂C/∂this into `grad`. */
  declare requiresGrad: boolean;
  /** ∂C/∂this, accumulated by backward() until zeroed; same shape and dtype as this tensor. */
  declare grad: Tensor | null;
  /** @internal The inputs of the operation that produced this tensor (null for leaves or once released). */
  declare parents: readonly Tensor[] | null;
  /** @internal The operation's backward rule (null for leaves or once released). */
  declare backwardFn: BackwardFn | null;
  /** @internal Set when backward() released the record of how this tensor was computed. */
  declare graphReleased: boolean;
  /** @internal Keep `grad` on this non-leaf tensor after backward (see retainGrad). */
  declare retainsGrad: boolean;
  /** @internal Set by backward()'s graph search to the number of the search that reached this tensor. */
  declare visitMark: number;
  /** Optional label used in diagnostics and error messages (e.g. "dense1.weight"). */
  declare name: string | undefined;

  constructor(data: FloatArray, shape: readonly number[], requiresGrad = false) {
    let size = 1;
    for (let i = 0; i < shape.length; i++) size *= shape[i];
    if (data.length !== size) throw new ShapeError(`Tensor: data length ${data.length} does not match shape ${formatShape(shape)} (size ${size})`);
    // Every field is set here, in one order, rather than by field initialisers: a tensor is made
    // several times per training step, and before the JIT compiler has optimised a loop the
    // initialisers' separate function costs as much as the rest of the constructor.
    this.data = data;
    // Shapes are never mutated by the library; a copy keeps callers' arrays from aliasing ours.
    this.shape = shape.slice();
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
    this.requiresGrad = requiresGrad;
    this.grad = null;
    this.parents = null;
    this.backwardFn = null;
    this.graphReleased = false;
    this.retainsGrad = false;
    this.visitMark = 0;
    this.name = undefined;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Whether this tensor was created directly rather than by a recorded operation. */
  get isLeaf(): boolean {
    return this.backwardFn === null;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.data.length !== 1) throw new ShapeError(`item: tensor of shape ${formatShape(this.shape)} has ${this.data.length} elements, not 1`);
    return this.data[0];
  }

  /** The values as nested JavaScript arrays matching the shape (a number for rank 0). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0];
    const build = (axis: number, offset: number): NestedArray[] => {
      const length = this.shape[axis];
      const stride = shapeSize(this.shape.slice(axis + 1));
      const out: NestedArray[] = new Array(length);
      for (let i = 0; i < length; i++) out[i] = axis === this.shape.length - 1 ? this.data[offset + i] : build(axis + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** Keeps `.grad` on this intermediate tensor after backward (leaves always keep theirs). */
  retainGrad(): this {
    this.retainsGrad = true;
    return this;
  }

  /** A new leaf tensor with a copy of the data, cut from the graph. */
  detach(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** A copy of the data (and shape), optionally converted to another dtype; cut from the graph. */
  to(dtype: DType): Tensor {
    const data = dtype === 'float64' ? Float64Array.from(this.data) : Float32Array.from(this.data);
    return new Tensor(data, this.shape);
  }

  /** Sets `.grad` to null. */
  zeroGrad(): void {
    this.grad = null;
  }

  /**
   * Backpropagation from this tensor: fills `.grad` of every tensor that requires it with
   * ∂this/∂tensor (summed into what is already there). A non-scalar tensor needs `gradient`,
   * the vector v of the vector–Jacobian product vᵀ·J. The graph is released afterwards.
   */
  backward(gradient?: Tensor): void {
    runBackward(this, gradient);
  }

  /**
   * The values and what they are, as PyTorch prints a tensor: `tensor([[1, 2], [3, 4]], float32)`.
   * Numbers have four significant digits; a tensor of more than 1,000 elements shows the first and
   * last three entries of each longer axis around "…".
   */
  toString(): string {
    const summarise = this.size > 1000;
    const number = (v: number) => (Number.isInteger(v) ? String(v) : Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));
    const format = (axis: number, offset: number, stride: number): string => {
      if (axis === this.shape.length) return number(this.data[offset]);
      const length = this.shape[axis];
      const inner = stride / Math.max(length, 1);
      const parts: string[] = [];
      for (let i = 0; i < length; i++) {
        if (summarise && length > 6 && i === 3) {
          parts.push('…');
          i = length - 4;
          continue;
        }
        parts.push(format(axis + 1, offset + i * inner, inner));
      }
      return `[${parts.join(axis === this.shape.length - 1 ? ', ' : ',\n' + ' '.repeat(8 + axis))}]`;
    };
    // An empty tensor's shape is not visible in its values.
    const values = this.shape.length === 0 ? number(this.data[0]) : this.size === 0 ? `[], shape ${formatShape(this.shape)}` : format(0, 0, this.size);
    return `tensor(${values}, ${this.dtype}${this.requiresGrad ? ', requiresGrad' : ''})`;
  }

  /** Node's console.log and util.inspect print `toString()` (not the graph fields). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

let runBackward: (root: Tensor, gradient?: Tensor) => void = () => {
  throw new BackpropError('backward: the autograd module is not loaded');
};

/** @internal Installs the autograd engine's backward (keeps tensor/ free of imports from autograd/). */
export function installBackward(fn: (root: Tensor, gradient?: Tensor) => void): void {
  runBackward = fn;
}

/**
 * Refuses anything but a Tensor as an operand of `where`, naming it: plain arrays are the usual
 * case (a newcomer's `relu([1, -2])`), and without this they fail inside with a TypeError.
 */
export function requireTensor(where: string, name: string, value: unknown): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new ValueError(`${where}: ${name} must be a Tensor, got ${formatValue(value)}${Array.isArray(value) || ArrayBuffer.isView(value) ? ' (make one with tensor(…))' : ''}`);
  }
}

export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (let i = 0; i < shape.length; i++) size *= shape[i];
  return size;
}

/** Validates a shape: non-negative integers. */
export function checkShape(where: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ShapeError(`${where}: shape must be an array of non-negative integers, got ${formatValue(shape)}`);
  }
  return shape.slice();
}

/**
 * A zero-filled array of `size` numbers. Small arrays are views into shared slabs: V8 gives each
 * `new Float32Array(n)` longer than 16 elements its own off-heap backing store, which costs
 * 0.7–1.6 µs (measured for 17–1024 elements, against 20 ns for a view of an existing buffer), more
 * than the arithmetic of a small layer at batch 16. A slab holds arrays of one exact length only,
 * so an array that outlives its neighbours keeps alive only arrays' worth of its own length; each
 * new slab for a length has twice the slots of the last (from 16, up to SLAB_MAX_BYTES), so the
 * lengths a training loop allocates every step get large slabs and rare lengths small ones. Slots
 * are never reused: a slab is freed by the collector once all its arrays are unreachable, and every
 * array starts zeroed as a fresh one would.
 */
export function allocate(dtype: DType, size: number): FloatArray {
  const bytesPerElement = dtype === 'float64' ? 8 : 4;
  if (size === 0 || size * bytesPerElement > SLAB_MAX_ARRAY_BYTES) {
    return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  }
  const slabs = dtype === 'float64' ? float64Slabs : float32Slabs;
  let slab = slabs.get(size);
  if (slab === undefined || slab.next === slab.slots) {
    const most = Math.max(SLAB_MIN_SLOTS, Math.floor(SLAB_MAX_BYTES / (size * bytesPerElement)));
    const slots = Math.min(most, slab === undefined ? SLAB_FIRST_SLOTS : slab.slots * 2);
    slab = { buffer: new ArrayBuffer(slots * size * bytesPerElement), slots, next: 0 };
    slabs.set(size, slab);
  }
  const offset = slab.next++ * size * bytesPerElement;
  return dtype === 'float64' ? new Float64Array(slab.buffer, offset, size) : new Float32Array(slab.buffer, offset, size);
}

/** Arrays larger than this get their own buffer: their allocation is small beside their arithmetic. */
const SLAB_MAX_ARRAY_BYTES = 16384;
/** The largest slab (unless SLAB_MIN_SLOTS arrays need more). */
const SLAB_MAX_BYTES = 262144;
const SLAB_FIRST_SLOTS = 16;
const SLAB_MIN_SLOTS = 4;

interface Slab {
  readonly buffer: ArrayBuffer;
  readonly slots: number;
  next: number;
}

/** The slab being filled for each array length. */
const float32Slabs = new Map<number, Slab>();
const float64Slabs = new Map<number, Slab>();
