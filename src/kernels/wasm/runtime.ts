/**
 * The slice of the WebAssembly JavaScript API this backend uses, typed locally: the engine compiles
 * against ES2022 alone (no DOM or Node typings), and `WebAssembly` is looked up on globalThis so a
 * runtime without it is reported rather than crashing at import.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

export interface WasmRuntime {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

/** The runtime's WebAssembly object, or null. */
export function wasmRuntime(): WasmRuntime | null {
  const api = (globalThis as { WebAssembly?: WasmRuntime }).WebAssembly;
  return typeof api === 'object' && api !== null ? api : null;
}
