/**
 * The slice of the WebAssembly and Web Worker APIs this backend uses, typed locally: the engine
 * compiles against ES2022 alone (no DOM or Node typings), and everything is looked up on globalThis
 * so a runtime without it is reported rather than crashing at import.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}

export interface WasmRuntime {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The runtime's WebAssembly object, or null. */
export function wasmRuntime(): WasmRuntime | null {
  const api = (globalThis as { WebAssembly?: WasmRuntime }).WebAssembly;
  return typeof api === 'object' && api !== null ? api : null;
}

/** What the backend needs of a worker: it is sent one message (the module and the shared memory). */
export interface WorkerHandle {
  postMessage(message: unknown): void;
  /** Stops the worker (Web Workers and worker_threads have it); used when the backend gives up on it. */
  terminate?(): unknown;
}

/** Starts a worker running `source` (plain JavaScript); see createWasmBackend's `spawnWorker`. */
export type SpawnWorker = (source: string) => WorkerHandle;

interface BrowserGlobals {
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => WorkerHandle;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string };
  SharedArrayBuffer?: unknown;
}

/**
 * A browser's way to start a worker (from a Blob URL), or null where workers could not share
 * memory: outside a browser, or in a page that is not cross-origin isolated (COOP/COEP headers).
 */
export function browserSpawnWorker(): SpawnWorker | null {
  const g = globalThis as BrowserGlobals;
  const { Worker, Blob, URL } = g;
  if (g.crossOriginIsolated !== true || typeof g.SharedArrayBuffer !== 'function' || !Worker || !Blob || !URL) return null;
  return (source) => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
}
