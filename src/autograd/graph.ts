import type { DType, FloatArray } from '../kernels/index.js';
import { BackwardFn, Tensor, allocate, installBackward } from '../tensor/index.js';
import { BackpropError, ShapeError, formatShape } from '../util/errors.js';

let gradEnabled = true;

/** Whether operations currently record the graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording the graph (inference, weight updates, metrics): outputs of
 * operations inside do not require gradients and keep no references to their inputs.
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  let result: T;
  try {
    result = fn();
  } finally {
    gradEnabled = previous;
  }
  // Recording is off only until fn returns: the part of an async function after its first await
  // would record the graph again, unnoticed (TensorFlow.js's tidy refuses promises likewise).
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new BackpropError('noGrad: the function returned a promise, but recording is off only until it returns (not after an await); call noGrad around the synchronous work inside the async function');
  }
  return result;
}

/** Whether an op with these inputs must record its backward rule. */
export function needsGrad(a: Tensor, b?: Tensor | null, c?: Tensor | null): boolean {
  return gradEnabled && (a.requiresGrad || (b?.requiresGrad ?? false) || (c?.requiresGrad ?? false));
}

/**
 * Records that `output` was computed from `parents` and how to send its gradient back. Call it
 * only when `needsGrad(...)` is true; `output` then requires a gradient too. The array the rule
 * receives is valid only during the call: backward() reuses the storage of released gradients.
 */
export function record(output: Tensor, parents: readonly Tensor[], backwardFn: BackwardFn): Tensor {
  output.requiresGrad = true;
  output.parents = parents;
  output.backwardFn = backwardFn;
  return output;
}

/**
 * The gradient storage of `t`, created zero-filled on first use; backward rules add into it.
 * Returns null when `t` does not require a gradient (nothing to do for that input).
 */
export function gradBuffer(t: Tensor): FloatArray | null {
  if (!t.requiresGrad) return null;
  if (t.grad === null) {
    const recycled = takeRecycled(t.dtype, t.size);
    t.grad = new Tensor(recycled ? recycled.fill(0) : allocate(t.dtype, t.size), t.shape);
  }
  return t.grad.data;
}

/**
 * For a rule whose kernel writes a whole gradient either by adding into it or by overwriting it
 * (an `accumulate` flag): the gradient storage of `t` when it exists (the rule adds into it), or
 * else new storage for it whose contents are arbitrary, so the rule must set every element.
 * `t.grad` tells which: check `t.grad !== null` first. Saves the zero fill and the kernel's read
 * of the zeros. Returns null when `t` does not require a gradient.
 */
export function gradBufferToOverwrite(t: Tensor): FloatArray | null {
  if (!t.requiresGrad) return null;
  if (t.grad === null) t.grad = new Tensor(takeRecycled(t.dtype, t.size) ?? allocate(t.dtype, t.size), t.shape);
  return t.grad.data;
}

/**
 * Working storage for an op (values its backward rule needs, or a scratch array): `size` numbers
 * of arbitrary contents, from storage given back by `releaseScratch` when there is some.
 */
export function scratch(dtype: DType, size: number): FloatArray {
  return takeRecycled(dtype, size) ?? allocate(dtype, size);
}

/**
 * Gives storage from `scratch` back once nothing can read it any more (e.g. at the end of the
 * backward rule that was its last reader); it may be handed out again by the next `scratch` or
 * gradient of its dtype and size.
 */
export function releaseScratch(data: FloatArray): void {
  recycle(data);
}

/**
 * Storage that backward() released (gradients of intermediate tensors) or that ops gave back
 * (`releaseScratch`), kept for the next array of the same dtype and size: a training loop then
 * reuses the same buffers every step. A new large typed array comes from fresh zero pages, and
 * faulting them in costs several times more than refilling a mapped buffer; a new small one is a
 * view of a slab (see `allocate`), whose creation costs more than taking one from here. At most
 * RECYCLE_MAX_BYTES are kept.
 */
const recycledFloat32 = new Map<number, Float32Array[]>();
const recycledFloat64 = new Map<number, Float64Array[]>();
const RECYCLE_MAX_BYTES = 64 * 1024 * 1024;
/**
 * At most this many arrays of one size: a small array is a view of a slab (see `allocate`) and
 * keeps the whole slab alive, so the bytes counted above understate what the pool holds; a
 * training loop needs only a few of each size at a time.
 */
const RECYCLE_MAX_PER_SIZE = 64;
let recycledBytes = 0;

function recycle(data: FloatArray): void {
  const size = data.length;
  const isFloat64 = data instanceof Float64Array;
  const bytes = isFloat64 ? 8 * size : 4 * size;
  if (size === 0 || recycledBytes + bytes > RECYCLE_MAX_BYTES) return;
  recycledBytes += bytes;
  const pools: Map<number, FloatArray[]> = isFloat64 ? recycledFloat64 : recycledFloat32;
  const list = pools.get(size);
  if (list === undefined) pools.set(size, [data]);
  else if (list.length < RECYCLE_MAX_PER_SIZE) list.push(data);
  else recycledBytes -= bytes;
}

function takeRecycled(dtype: DType, size: number): FloatArray | undefined {
  const isFloat64 = dtype === 'float64';
  const list: FloatArray[] | undefined = (isFloat64 ? recycledFloat64 : recycledFloat32).get(size);
  if (list === undefined || list.length === 0) return undefined;
  recycledBytes -= isFloat64 ? 8 * size : 4 * size;
  return list.pop();
}

/**
 * Pushes the graph below `root` onto `order` in post-order: every tensor after all the tensors it
 * was computed from, `root` last, so popping them runs the backward rules in reverse topological
 * order. Only tensors with a rule (and `root`) are pushed: a leaf receives its gradient from the
 * rules of the tensors computed from it and has nothing to run itself.
 */
function postOrder(root: Tensor, order: Tensor[]): void {
  const mark = ++visitMark;
  // Iterative depth-first search (deep graphs, e.g. long unrolled loops, must not overflow the
  // stack): the path from the root and, beside it, the next parent to visit of each node on it.
  // Both stacks live between calls (a training step then allocates none) and end empty.
  const path = searchPath;
  const next = searchNext;
  path.push(root);
  next.push(0);
  root.visitMark = mark;
  while (path.length > 0) {
    const top = path.length - 1;
    const node = path[top];
    const parents = node.parents;
    if (parents !== null && next[top] < parents.length) {
      const parent = parents[next[top]++];
      // Leaves (and tensors whose graph is released) have no rule to run: they are left out.
      if (parent.parents !== null && parent.requiresGrad && parent.visitMark !== mark) {
        parent.visitMark = mark;
        path.push(parent);
        next.push(0);
      }
    } else {
      order.push(node);
      path.pop();
      next.pop();
    }
  }
}

const searchPath: Tensor[] = [];
const searchNext: number[] = [];

/**
 * The tensors of the running backward() (reused; it ends empty, so it holds no tensors between
 * calls). A rule that calls backward() itself (a user's op differentiating inside its own rule)
 * gets an array of its own.
 */
let spareOrder: Tensor[] | null = [];

/** Tells the tensors one search has reached from those of earlier searches (see Tensor.visitMark). */
let visitMark = 0;

/**
 * Reverse-mode differentiation from `root`. Seeds ∂root/∂root = 1 (or `gradient`), runs each
 * recorded backward rule once in reverse topological order, accumulates into leaves' `.grad`,
 * frees intermediate gradients (unless retained) and releases the graph.
 */
export function backward(root: Tensor, gradient?: Tensor): void {
  if (root.graphReleased) {
    throw new BackpropError('backward: the graph of this tensor was already released by an earlier backward(); compute the tensor again to differentiate it again');
  }
  if (!root.requiresGrad) throw new BackpropError('backward: the tensor does not require a gradient (no input had requiresGrad, or it was computed under noGrad)');
  if (gradient === undefined && root.size !== 1) {
    throw new ShapeError(`backward: tensor of shape ${formatShape(root.shape)} is not a scalar; pass the gradient ∂C/∂output as an argument`);
  }
  if (gradient !== undefined && gradient.size !== root.size) {
    throw new ShapeError(`backward: gradient of shape ${formatShape(gradient.shape)} does not match tensor of shape ${formatShape(root.shape)}`);
  }
  const order = spareOrder ?? [];
  spareOrder = null;
  const previous = gradEnabled;
  try {
    postOrder(root, order);
    gradEnabled = false;
    if (gradient === undefined && root.grad === null && !root.retainsGrad && root.backwardFn !== null) {
      // The usual start, a scalar loss: its seed ∂C/∂C = 1 goes straight to its rule, without a
      // gradient tensor that would be dropped right after (the rule may overwrite it, as any gradOut).
      order.pop();
      const rule = root.backwardFn;
      root.backwardFn = null;
      root.parents = null;
      root.graphReleased = true;
      const seed = scratch(root.dtype, 1);
      seed[0] = 1;
      rule(seed);
      recycle(seed);
    } else {
      const seed = gradBuffer(root)!;
      if (gradient === undefined) seed[0] += 1;
      else for (let i = 0; i < seed.length; i++) seed[i] += gradient.data[i];
    }
    while (order.length > 0) {
      const node = order.pop()!;
      const rule = node.backwardFn;
      if (rule === null) continue;
      // Released before the rule runs: a rule that throws is never run a second time (it may
      // already have given its scratch storage back).
      node.backwardFn = null;
      node.parents = null;
      node.graphReleased = true;
      if (node.grad !== null) rule(node.grad.data);
      if (!node.retainsGrad && node.grad !== null) {
        recycle(node.grad.data);
        node.grad = null;
      }
    }
  } finally {
    gradEnabled = previous;
    // After a throw: drop what is left rather than keep it alive or hand it to the next call.
    if (order.length > 0) order.length = 0;
    if (searchPath.length > 0) {
      searchPath.length = 0;
      searchNext.length = 0;
    }
    spareOrder = order;
  }
}

installBackward(backward);
