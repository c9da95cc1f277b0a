/**
 * Two threads for the wasm backend's products: a worker instantiates the same module on the same
 * shared memory and takes chunks of each large block of tiles. Coordination goes through a control
 * block at the start of that memory, with Atomics only (no messages after the first), so the main
 * thread never waits on an event loop:
 *
 *   control[CLAIM] = generation·16 + next unclaimed chunk; control[DONE] = chunks finished;
 *   control[CHUNKS], control[CHUNK_TILES] and control[ARGS ..] = the block's gemmTiles arguments;
 *   control[READY] = 1 once the worker runs; control[WORKER_CHUNKS] = chunks the worker has run.
 *
 * Chunk c covers the columns of tiles [c·chunkTiles, (c+1)·chunkTiles). A chunk is taken by a
 * compare-exchange that also checks the generation, by whichever thread gets there first, so the
 * caller runs every chunk the worker has not taken: a worker that is not running (not started
 * yet, or not scheduled on a machine shared with other processes) delays a call by at most one
 * chunk.
 */
import type { SpawnWorker, WasmMemory, WorkerHandle } from './runtime.js';

const CLAIM = 0;
const DONE = 1;
const CHUNKS = 2;
const CHUNK_TILES = 3;
const READY = 4;
const ARGS = 5;
/** After the ten gemmTiles arguments. */
const WORKER_CHUNKS = 15;
/** Most chunks a block is cut into (the claim word holds the next chunk in 4 bits). */
export const MAX_CHUNKS = 8;
/** Bytes of the control block at the start of the shared memory (the products' data follow it). */
export const CONTROL_BYTES = 128;

/** gemmTiles' arguments, in its order (see gemm.wat): mTiles, nTiles, kc, a, rsa, csa, b, c, ldc, accumulate. */
export type TilesArguments = readonly number[];

/**
 * Claims and runs chunks of the block in `control` for `generation` until none is left (the same
 * code runs in the worker, from its source text below); returns how many it ran. Tile columns of
 * chunk c start at c·chunkTiles: B's panels are kc·32 bytes each, C's tile columns 32 bytes apart.
 */
function runChunks(control: Int32Array, generation: number, gemmTiles: (...args: number[]) => void): number {
  let ran = 0;
  for (;;) {
    const current = Atomics.load(control, CLAIM);
    const chunk = current & 15;
    if (current >>> 4 !== generation || chunk >= control[CHUNKS]) return ran;
    if (Atomics.compareExchange(control, CLAIM, current, current + 1) !== current) continue;
    const chunkTiles = control[CHUNK_TILES];
    const first = chunk * chunkTiles;
    const tiles = Math.min(chunkTiles, control[ARGS + 1] - first);
    const kc = control[ARGS + 2];
    gemmTiles(control[ARGS], tiles, kc, control[ARGS + 3], control[ARGS + 4], control[ARGS + 5],
      control[ARGS + 6] + first * kc * 32, control[ARGS + 7] + first * 32, control[ARGS + 8], control[ARGS + 9]);
    Atomics.add(control, DONE, 1);
    ran++;
  }
}

/**
 * The worker's program (a Web Worker's: it receives one message through self.onmessage; Node's
 * spawner in node/backends.ts bridges worker_threads to that): instantiate, then wait for blocks
 * (spinning briefly first, as calls come back to back) and run chunks until the process ends.
 */
const WORKER_SOURCE = `
const CLAIM = ${CLAIM}, DONE = ${DONE}, CHUNKS = ${CHUNKS}, CHUNK_TILES = ${CHUNK_TILES}, ARGS = ${ARGS};
const runChunks = ${runChunks.toString()};
self.onmessage = (event) => {
  const { module, memory } = event.data;
  const gemmTiles = new WebAssembly.Instance(module, { env: { memory } }).exports.gemmTiles;
  const control = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
  Atomics.store(control, ${READY}, 1);
  let seen = -1;
  for (;;) {
    const state = Atomics.load(control, CLAIM);
    if (state >>> 4 === seen) {
      for (let spin = 0; spin < 20000 && Atomics.load(control, CLAIM) === state; spin++);
      if (Atomics.load(control, CLAIM) === state) Atomics.wait(control, CLAIM, state, 100);
      continue;
    }
    seen = state >>> 4;
    Atomics.add(control, ${WORKER_CHUNKS}, runChunks(control, seen, gemmTiles));
  }
};
`;

export class TilesWorker {
  private readonly control: Int32Array;
  private readonly handle: WorkerHandle;
  private generation = 0;

  /** Starts the worker on `module` and `memory` (shared); throws when the worker cannot start. */
  constructor(module: object, memory: WasmMemory, spawn: SpawnWorker) {
    this.control = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    Atomics.store(this.control, CHUNKS, 0);
    Atomics.store(this.control, WORKER_CHUNKS, 0);
    Atomics.store(this.control, CLAIM, 0);  // generation 0, nothing to claim
    this.handle = spawn(WORKER_SOURCE);
    this.handle.postMessage({ module, memory });
  }

  /** Chunks the worker has run so far (the products it shared). */
  get chunksRun(): number {
    return Atomics.load(this.control, WORKER_CHUNKS);
  }

  /** Stops the worker where the runtime can (see WorkerHandle.terminate). */
  terminate(): void {
    this.handle.terminate?.();
  }

  /** Whether the worker has started (until then the caller runs every chunk itself). */
  get ready(): boolean {
    return Atomics.load(this.control, READY) === 1;
  }

  /** gemmTiles(...args) in `chunks` chunks of tile columns, on this thread and the worker; returns when all are done. */
  run(gemmTiles: (...args: number[]) => void, args: TilesArguments, chunks: number): void {
    const control = this.control;
    const count = Math.max(1, Math.min(MAX_CHUNKS, chunks, args[1]));
    this.generation = (this.generation + 1) & 0x0fffffff;
    control.set(args, ARGS);
    control[CHUNK_TILES] = Math.ceil(args[1] / count);
    control[CHUNKS] = Math.ceil(args[1] / control[CHUNK_TILES]);
    Atomics.store(control, DONE, 0);
    Atomics.store(control, CLAIM, this.generation << 4);
    Atomics.notify(control, CLAIM);
    runChunks(control, this.generation, gemmTiles);
    // The browser's main thread may not Atomics.wait; a chunk is short, so spin.
    while (Atomics.load(control, DONE) < control[CHUNKS]);
  }
}
