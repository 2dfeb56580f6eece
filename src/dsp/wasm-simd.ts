/**
 * Our small WebAssembly SIMD modules (src/dsp/wasm/*.wat, embedded as base64
 * by scripts/build-wasm.sh), instantiated synchronously on first use. Null
 * where WebAssembly SIMD is missing, or where MIRKIT_SIMD=off is set (to run
 * and test the JavaScript fallbacks): callers then take their JavaScript path.
 */
/** The bytes of an embedded base64 WebAssembly binary. */
export const decodeBase64 = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

export function instantiateSimd<T>(base64: string): T | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.MIRKIT_SIMD === "off") return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(decodeBase64(base64))).exports as unknown as T;
  } catch {
    return null;
  }
}
