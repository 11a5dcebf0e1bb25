/**
 * TensorFlow.js on its WebAssembly backend, in process. `@tensorflow/tfjs-node` would download a
 * native library at install time, which nothing here may do; the WASM backend ships its .wasm files
 * inside the npm package, so `setWasmPaths` points at that folder on disk and nothing is fetched.
 * Loaded on first use (importing the package for its data code costs nothing) and initialised
 * once; every model in the package asks for it through `tensorflow()`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

export type Tf = typeof import('@tensorflow/tfjs');

let ready: Promise<Tf> | undefined;

/** The WASM backend's own folder (`…/@tensorflow/tfjs-backend-wasm/dist/`), as a file path. */
export function wasmFolder(): string {
  const require = createRequire(import.meta.url);
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}${path.sep}`;
}

export function tensorflow(): Promise<Tf> {
  ready ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(wasmFolder());
    const ok = await tf.setBackend('wasm');
    if (!ok) throw new Error('TensorFlow.js could not start its WebAssembly backend');
    await tf.ready();
    return tf;
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
