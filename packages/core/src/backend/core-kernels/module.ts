import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { UsageError } from '../../cli/errors.js';

/*
 * Core's own wasm kernels (packages/core/kernels: a register-blocked GEMM micro-kernel and the convolution
 * drivers built on it). They run inside tfjs-backend-wasm's memory: the module imports that WebAssembly.Memory,
 * so tensors are read and written where tfjs keeps them, with no copies in or out.
 */

export const CORE_KERNEL_BUILDS = ['fma', 'simd'] as const;
export type CoreKernelBuild = (typeof CORE_KERNEL_BUILDS)[number];
export type CoreKernelChoice = CoreKernelBuild | 'off';

/** The exports of packages/core/kernels/core-kernels-*.wasm (byte addresses, i32 counts). */
export interface CoreKernelExports {
  mr: WebAssembly.Global;
  nr: WebAssembly.Global;
  gemm_ind(
    ind: number,
    abase: number,
    nruns: number,
    kc: number,
    ntiles: number,
    bpk: number,
    n: number,
    out: number,
    ldc: number,
    m: number,
    bias: number,
    flags: number,
    ctx: number,
  ): void;
  scatter_gemm(
    aind: number,
    abase: number,
    kc: number,
    ntiles: number,
    m: number,
    bpk: number,
    nruns: number,
    l: number,
    cind: number,
    cbase: number,
  ): void;
  filter_grad(
    xp: number,
    segs: number,
    nsegs: number,
    seglen: number,
    astride: number,
    g: number,
    dyp: number,
    m: number,
    co: number,
    nruns: number,
    l: number,
    runstride: number,
    dw: number,
  ): void;
  pack_b(src: number, kk: number, n: number, sk: number, sn: number, dst: number, pstride: number): void;
  pad_copy(
    src: number,
    n: number,
    h: number,
    w: number,
    c: number,
    dst: number,
    hp: number,
    wp: number,
    top: number,
    left: number,
  ): void;
  crop_copy(
    src: number,
    n: number,
    hp: number,
    wp: number,
    c: number,
    dst: number,
    h: number,
    w: number,
    top: number,
    left: number,
  ): void;
  conv_ind(
    dst: number,
    n: number,
    oh: number,
    ow: number,
    sh: number,
    sw: number,
    hp: number,
    wp: number,
    c: number,
    nruns: number,
    runstride: number,
    ntiles: number,
  ): void;
  rows_ind(dst: number, m: number, ntiles: number, ld: number): void;
  transpose(src: number, r: number, c: number, dst: number): void;
  max_pool_grad(
    x: number,
    dy: number,
    dx: number,
    n: number,
    h: number,
    w: number,
    c: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    sh: number,
    sw: number,
    top: number,
    left: number,
  ): void;
  sum_rows(x: number, rows: number, cols: number, out: number, part: number): void;
  sparse_rows(x: number, npix: number, c: number, co: number, ent: number, start: number): void;
  adadelta(
    v: number,
    g: number,
    ag: number,
    au: number,
    out: number,
    n: number,
    rho: number,
    rho1: number,
    eps: number,
    lr: number,
  ): void;
  sparse_conv(
    start: number,
    ent: number,
    n: number,
    h: number,
    w: number,
    c: number,
    wt: number,
    co: number,
    out: number,
    oh: number,
    ow: number,
    fh: number,
    fw: number,
    top: number,
    left: number,
    bias: number,
    flags: number,
  ): void;
  pad_copy_c(
    src: number,
    n: number,
    h: number,
    w: number,
    c: number,
    dst: number,
    hp: number,
    wp: number,
    cp: number,
    top: number,
    left: number,
  ): void;
  rotate_filter(w: number, fh: number, fw: number, ci: number, co: number, dst: number): void;
  wino_filter(w: number, ci: number, co: number, cp: number, dst: number, tmp: number): void;
  wino_in(
    xp: number,
    n: number,
    hp: number,
    wp: number,
    cp: number,
    th: number,
    tw: number,
    v: number,
    tmp: number,
    t0: number,
    cnt: number,
  ): void;
  wino_gemm(ind: number, v: number, tiles: number, cp: number, bpk: number, co: number, m: number, ctx: number): void;
  wino_out(
    m: number,
    n: number,
    th: number,
    tw: number,
    co: number,
    oh: number,
    ow: number,
    out: number,
    bias: number,
    flags: number,
    tmp: number,
    t0: number,
    cnt: number,
  ): void;
  wino_wgrad(
    xp: number,
    dyp: number,
    n: number,
    hp: number,
    wp: number,
    cp: number,
    th: number,
    tw: number,
    ci: number,
    co: number,
    v: number,
    u: number,
    c36: number,
    tb: number,
    dw: number,
    ctx: number,
    tmp: number,
  ): void;
  wino_conv(
    xp: number,
    n: number,
    hp: number,
    wp: number,
    cp: number,
    th: number,
    tw: number,
    upk: number,
    co: number,
    oh: number,
    ow: number,
    out: number,
    bias: number,
    flags: number,
    v: number,
    m: number,
    ind: number,
    tb: number,
    ctx: number,
    tmp: number,
  ): void;
  /** 12 independent multiply-add chains, n passes, no memory traffic: the arithmetic ceiling. */
  peak(n: number): number;
}

/** One instance of the kernels bound to one tfjs-wasm backend (one per thread). */
export interface CoreKernels {
  build: CoreKernelBuild;
  /** Rows and columns of the micro-kernel's register tile. */
  mr: number;
  nr: number;
  k: CoreKernelExports;
  backend: BackendWasm;
  /** 64 bytes of heap the drivers use for row tables. */
  ctx: number;
}

/** How many times each tfjs kernel ran on core's kernels in this thread (tests check no fallback ran). */
export const coreKernelCalls: Record<string, number> = {};

export function countCall(kernelName: string): void {
  coreKernelCalls[kernelName] = (coreKernelCalls[kernelName] ?? 0) + 1;
}

/** GEMM flags understood by the drivers. */
export const FLAG_ACCUMULATE = 1;
export const FLAG_RELU = 2;
export const FLAG_RELU6 = 6;

const FILES: Record<CoreKernelBuild, string> = { fma: 'core-kernels-fma.wasm', simd: 'core-kernels-simd.wasm' };
// src/backend/core-kernels/ and dist/backend/core-kernels/ both sit three folders below the package root.
const KERNELS_DIR = new URL('../../../kernels/', import.meta.url);

const modules = new Map<CoreKernelBuild, WebAssembly.Module | null>();
const instances = new WeakMap<BackendWasm, CoreKernels>();
let choice: CoreKernelChoice | undefined;
let relaxedFlagSet = false;

/** The compiled module of a build, or null when this engine cannot run it. */
function compiled(build: CoreKernelBuild): WebAssembly.Module | null {
  if (modules.has(build)) return modules.get(build)!;
  let module: WebAssembly.Module | null = null;
  try {
    const bytes = new Uint8Array(readFileSync(new URL(FILES[build], KERNELS_DIR)));
    let ok = WebAssembly.validate(bytes);
    if (!ok && build === 'fma' && !relaxedFlagSet) {
      // Node 20 (V8 11.3) compiles relaxed SIMD behind a flag; it must be set before the module is compiled.
      // Node 22 and browsers have it on, so the flag is only set where validation needs it.
      setFlagsFromString('--experimental-wasm-relaxed-simd');
      relaxedFlagSet = true;
      ok = WebAssembly.validate(bytes);
    }
    if (ok) module = compileOptimized(bytes);
  } catch {
    module = null;
  }
  modules.set(build, module);
  return module;
}

/**
 * Compiles with V8's optimizing compiler up front. By default V8 starts wasm functions in its baseline compiler
 * and optimizes them in the background once they are hot, and a call already running never switches (wasm has
 * no on-stack replacement): a convolution's first call, one long loop inside wasm, would run at a fraction of
 * the speed. The flags are put back to V8's defaults (on in Node 20 and later) right after.
 */
function compileOptimized(bytes: Uint8Array<ArrayBuffer>): WebAssembly.Module {
  let flagged = false;
  try {
    setFlagsFromString('--no-liftoff');
    setFlagsFromString('--no-wasm-lazy-compilation');
    flagged = true;
  } catch {
    // an engine without these flags compiles as it compiles
  }
  try {
    return new WebAssembly.Module(bytes);
  } finally {
    if (flagged) {
      setFlagsFromString('--liftoff');
      setFlagsFromString('--wasm-lazy-compilation');
    }
  }
}

/** The build to use: CNN_LAB_WASM_KERNELS (fma, simd, off, auto) or the fastest this engine runs. */
function chosen(): CoreKernelChoice {
  if (choice === undefined) {
    const raw = (process.env['CNN_LAB_WASM_KERNELS'] ?? 'auto').trim().toLowerCase();
    if (raw === 'off') choice = 'off';
    else if (raw === 'fma' || raw === 'simd') choice = compiled(raw) ? raw : 'off';
    else if (raw === 'auto' || raw === '') choice = CORE_KERNEL_BUILDS.find((b) => compiled(b) !== null) ?? 'off';
    else throw new UsageError(`CNN_LAB_WASM_KERNELS='${raw}': expected one of auto, fma, simd, off`);
  }
  return choice;
}

/** Which of core's kernel builds wasm uses in this thread ('off': tfjs-backend-wasm's own and core's older ones). */
export function coreKernelBuild(): CoreKernelChoice {
  return chosen();
}

/** Whether a build can run in this engine. */
export function coreKernelBuildAvailable(build: CoreKernelBuild): boolean {
  return compiled(build) !== null;
}

/**
 * Switches this thread to another build (tests and benchmarks compare them); 'off' goes back to tfjs-wasm's
 * kernels. Throws when the engine cannot run the build.
 */
export function setCoreKernelBuild(build: CoreKernelChoice): void {
  if (build !== 'off' && !compiled(build))
    throw new Error(`core's '${build}' wasm kernels do not compile in this engine`);
  choice = build;
}

/** The kernels bound to this backend's memory, or null when they are off or cannot run. */
export function coreKernels(backend: BackendWasm): CoreKernels | null {
  const build = chosen();
  if (build === 'off') return null;
  const existing = instances.get(backend);
  if (existing?.build === build) return existing;
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const instance = new WebAssembly.Instance(compiled(build)!, { env: { memory } });
  const k = instance.exports as unknown as CoreKernelExports;
  const ctx = existing?.ctx ?? malloc(backend, 64);
  const kernels: CoreKernels = { build, mr: k.mr.value as number, nr: k.nr.value as number, k, backend, ctx };
  instances.set(backend, kernels);
  return kernels;
}

function malloc(backend: BackendWasm, bytes: number): number {
  const wasm = backend.wasm as unknown as { _malloc(n: number): number };
  const p = wasm._malloc(bytes);
  if (!p) throw new Error(`wasm heap: cannot allocate ${bytes} bytes`);
  return p;
}

/** Heap scratch for one kernel call: 16-byte aligned blocks, all freed together. */
export class Scratch {
  private readonly blocks: number[] = [];
  constructor(private readonly backend: BackendWasm) {}

  /** A block of `floats` 4-byte slots (plus slack the micro-kernels may read past the end); its byte address. */
  alloc(floats: number): number {
    const p = malloc(this.backend, floats * 4 + 96);
    this.blocks.push(p);
    return (p + 15) & ~15;
  }

  free(): void {
    const wasm = this.backend.wasm as unknown as { _free(p: number): void };
    for (const p of this.blocks) wasm._free(p);
    this.blocks.length = 0;
  }
}
