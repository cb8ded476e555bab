import { cpus } from 'node:os';

/*
 * What one core can do inside WebAssembly: 128-bit SIMD is 4 float lanes; with fused multiply-add
 * (relaxed SIMD) on the two FMA pipes of a Zen 4 or a recent Intel core that is 2 x 4 x 2 = 16 FLOP a cycle.
 * The benchmark prints measured GFLOP/s beside this figure.
 */
export const WASM_FLOPS_PER_CYCLE = 16;

/** Clock of this machine's first core in GHz as the OS reports it (2.6 when it reports none). */
export function clockGHz(): number {
  const mhz = cpus()[0]?.speed ?? 0;
  return mhz > 0 ? mhz / 1000 : 2.6;
}

/** GFLOP/s one core reaches in wasm at best (FMA on both pipes, every cycle). */
export const WASM_FLOPS_PER_CORE = WASM_FLOPS_PER_CYCLE * clockGHz();
