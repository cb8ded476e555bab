import type { backend_util, TensorInfo } from '@tensorflow/tfjs';
import { countCall, FLAG_RELU, FLAG_RELU6, Scratch } from './module.js';
import type { CoreKernels } from './module.js';

/*
 * Convolutions (NHWC, dilation 1) on core's GEMM micro-kernel, im2col-free:
 * - forward: C[pixel][co] = sum over taps of x-patch[pixel][k] W[k][co]. The input is copied once into a
 *   zero-padded buffer when the convolution pads; then each output pixel's patch is FH runs of FW*C adjacent
 *   floats (one run when the filter spans the padded width, as in Kim's text CNN), which an indirection table
 *   hands to the micro-kernel. The filter is packed into panels of NR (16) output channels. Bias and relu/relu6 are
 *   applied in the micro-kernel's epilogue.
 * - input gradient: dcol = dy W^T on the micro-kernel, whose stores add each tile straight into the (padded)
 *   dx where its patch came from (col2im fused into the GEMM); or, at stride 1, the forward kernel on dy
 *   (padded) with the filter rotated 180 degrees and its channel axes swapped (see inputGradientRoute).
 * - filter gradient: dW[k][co] = sum over output pixels of x-patch[pixel][k] dy[pixel][co], tiles of MR
 *   adjacent taps x NR output channels, the reduction walking output pixels by a fixed stride; dy is packed in
 *   panels of NR channels, the reduction is cut into blocks of about 256 pixels so a dy panel block stays in L1.
 */

export type Activation = 'linear' | 'relu' | 'relu6';

export function activationFlags(activation: string | undefined): number | null {
  if (activation === undefined || activation === 'linear') return 0;
  if (activation === 'relu') return FLAG_RELU;
  if (activation === 'relu6') return FLAG_RELU6;
  return null;
}

/** The geometry core's kernels need, or null for the cases they do not cover (NCHW, dilation, odd rounding). */
export interface Geometry {
  conv: backend_util.Conv2DInfo;
  /** Padded input height and width. */
  hp: number;
  wp: number;
  /** Patch runs per output pixel and floats per run. */
  nruns: number;
  runLen: number;
  padded: boolean;
}

export function geometry(conv: backend_util.Conv2DInfo): Geometry | null {
  if (conv.dataFormat !== 'channelsLast' || conv.dilationHeight !== 1 || conv.dilationWidth !== 1) return null;
  const { top, bottom, left, right } = conv.padInfo;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) return null;
  const hp = conv.inHeight + top + bottom;
  const wp = conv.inWidth + left + right;
  // Every tap of every output pixel must land in the padded input (tfjs's 'ceil' rounding can break this).
  if ((conv.outHeight - 1) * conv.strideHeight + conv.filterHeight > hp) return null;
  if ((conv.outWidth - 1) * conv.strideWidth + conv.filterWidth > wp) return null;
  if (conv.outHeight < 1 || conv.outWidth < 1 || conv.batchSize < 1) return null;
  const merged = conv.filterWidth === wp;
  const c = conv.inChannels;
  return {
    conv,
    hp,
    wp,
    nruns: merged ? 1 : conv.filterHeight,
    runLen: merged ? conv.filterHeight * conv.filterWidth * c : conv.filterWidth * c,
    padded: top + bottom + left + right > 0,
  };
}

function offsetOf(kernels: CoreKernels, t: TensorInfo): number {
  return kernels.backend.getMemoryOffset(t.dataId);
}

function heapF32(kernels: CoreKernels): Float32Array {
  return (kernels.backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);

/** x [n, h, w, c] zero-padded per the geometry, in scratch; x itself when the convolution does not pad. */
function paddedInput(kernels: CoreKernels, scratch: Scratch, x: TensorInfo, g: Geometry): number {
  const xo = offsetOf(kernels, x);
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c } = g.conv;
  if (!g.padded) return xo;
  const xp = scratch.alloc(n * g.hp * g.wp * c);
  kernels.k.pad_copy(xo, n, h, w, c, xp, g.hp, g.wp, g.conv.padInfo.top, g.conv.padInfo.left);
  return xp;
}

/**
 * Whether Winograd F(4x4, 3x3) takes a convolution: 3x3, stride 1, output channels a multiple of 4, and enough
 * channels for its 36 GEMMs to be worth the transforms (the first layers of MNIST-like nets, with 1-3 input
 * channels, stay on the direct kernel).
 */
export function useWinograd(g: Geometry): boolean {
  const c = g.conv;
  const th = Math.ceil(c.outHeight / 4);
  const tw = Math.ceil(c.outWidth / 4);
  return (
    c.filterHeight === 3 &&
    c.filterWidth === 3 &&
    c.strideHeight === 1 &&
    c.strideWidth === 1 &&
    c.outChannels % 4 === 0 &&
    c.outChannels >= 16 &&
    c.inChannels >= 16 &&
    // the input, where it is placed in the tiled buffer, must fit in it
    c.inHeight + c.padInfo.top <= th * 4 + 2 &&
    c.inWidth + c.padInfo.left <= tw * 4 + 2
  );
}

/**
 * The 4x4 output tiles of a Winograd layer and its input copied, padded, into the tiled buffer (channels rounded
 * up to 4): what the forward and the filter gradient both start from.
 */
function winogradTiles(kernels: CoreKernels, scratch: Scratch, g: Geometry, x: number) {
  const {
    batchSize: n,
    inHeight: h,
    inWidth: wd,
    inChannels: c,
    outHeight: oh,
    outWidth: ow,
    outChannels: co,
  } = g.conv;
  const th = ceilDiv(oh, 4);
  const tw = ceilDiv(ow, 4);
  const cp = ceilDiv(c, 4) * 4;
  const hp = th * 4 + 2;
  const wp = tw * 4 + 2;
  const xp = scratch.alloc(n * hp * wp * cp);
  kernels.k.pad_copy_c(x, n, h, wd, c, xp, hp, wp, cp, g.conv.padInfo.top, g.conv.padInfo.left);
  return { n, c, oh, ow, co, th, tw, tiles: n * th * tw, cp, hp, wp, xp };
}

/**
 * Winograd F(4x4, 3x3): out [n, oh, ow, co] = act(conv(x, w) + bias) for a geometry useWinograd accepts. x: the
 * unpadded input's byte address; w: a [3, 3, ci, co] filter's; bias: 0 or co floats.
 */
function winogradForward(
  kernels: CoreKernels,
  scratch: Scratch,
  g: Geometry,
  x: number,
  w: number,
  out: number,
  bias: number,
  flags: number,
): void {
  countCall('winograd');
  const { k, mr, nr, ctx } = kernels;
  const { c, oh, ow, co, th, tw, tiles, cp, hp, wp, xp, n } = winogradTiles(kernels, scratch, g, x);
  const np = ceilDiv(co, nr);
  const upk = scratch.alloc(36 * np * cp * nr);
  heapF32(kernels).fill(0, upk / 4, upk / 4 + 36 * np * cp * nr);
  const tmp = scratch.alloc(36 * 4);
  k.wino_filter(w, c, co, cp, upk, tmp);
  // Blocks of tiles small enough that a block's transformed input and products (36 x tb x channels each) stay
  // in the L2 cache between the transforms and the GEMMs.
  const tb = Math.min(tiles, Math.max(8, Math.floor(WINOGRAD_BLOCK_FLOATS / (36 * (cp + co)))));
  const v = scratch.alloc(36 * tb * cp);
  const m = scratch.alloc(36 * tb * co);
  const ntiles = ceilDiv(tb, mr);
  const ind = scratch.alloc(ntiles * mr);
  k.rows_ind(ind, tb, ntiles, cp * 4);
  k.wino_conv(xp, n, hp, wp, cp, th, tw, upk, co, oh, ow, out, bias, flags, v, m, ind, tb, ctx, tmp);
}

/**
 * The 3x3 filter gradient by Winograd, the forward algorithm transposed: dW = G^T [sum over 4x4 tiles of dy
 * (A dy A^T) . (B^T x B)] G, the sum over tiles being 36 GEMMs [cp x tiles] . [tiles x co]. Same conditions
 * as the forward (useWinograd).
 */
function winogradFilterGrad(
  kernels: CoreKernels,
  scratch: Scratch,
  g: Geometry,
  x: number,
  dy: number,
  dw: number,
): void {
  countCall('winograd');
  const { k, nr, ctx } = kernels;
  const { n, c, oh, ow, co, th, tw, tiles, cp, hp, wp, xp } = winogradTiles(kernels, scratch, g, x);
  const dyp = scratch.alloc(n * th * 4 * tw * 4 * co);
  k.pad_copy_c(dy, n, oh, ow, co, dyp, th * 4, tw * 4, co, 0, 0);
  const np = ceilDiv(co, nr);
  const tb = Math.min(tiles, Math.max(8, Math.floor(WINOGRAD_BLOCK_FLOATS / (36 * (cp + np * nr)))));
  const v = scratch.alloc(36 * tb * cp);
  const u = scratch.alloc(36 * tb * np * nr);
  const c36 = scratch.alloc(36 * cp * co);
  const tmp = scratch.alloc(36 * 4);
  k.wino_wgrad(xp, dyp, n, hp, wp, cp, th, tw, c, co, v, u, c36, tb, dw, ctx, tmp);
}

/** Floats of one Winograd block's V and M together (256 K floats = 1 MB). */
export let WINOGRAD_BLOCK_FLOATS = 256 * 1024;

/** Benchmarks try other block sizes. */
export function setWinogradBlockFloats(floats: number): void {
  WINOGRAD_BLOCK_FLOATS = floats;
}

/**
 * out = act(conv(x, filter) + bias), out a fresh backend buffer of conv.outShape. `filterPacked` (optional)
 * gives an already packed filter (the input gradient's rotated one); `inputOffset` an already padded input.
 */
function forward(
  kernels: CoreKernels,
  scratch: Scratch,
  g: Geometry,
  input: number,
  bpk: number,
  out: number,
  bias: number,
  flags: number,
): void {
  const { k, mr, ctx } = kernels;
  const {
    batchSize: n,
    outHeight: oh,
    outWidth: ow,
    outChannels: co,
    strideHeight: sh,
    strideWidth: sw,
    inChannels: c,
  } = g.conv;
  const m = n * oh * ow;
  const ntiles = ceilDiv(m, mr);
  const ind = scratch.alloc(ntiles * g.nruns * mr);
  k.conv_ind(ind, n, oh, ow, sh, sw, g.hp, g.wp, c, g.nruns, g.wp * c * 4, ntiles);
  k.gemm_ind(ind, input, g.nruns, g.runLen, ntiles, bpk, co, out, co * 4, m, bias, flags, ctx);
}

/** Forward convolution (Conv2D, FusedConv2D with bias and linear/relu/relu6). */
export function conv2dForward(
  kernels: CoreKernels,
  g: Geometry,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | undefined,
  flags: number,
): TensorInfo {
  const { backend, k, nr } = kernels;
  const { outChannels: co, filterHeight: fh, filterWidth: fw, inChannels: c } = g.conv;
  const out = backend.makeOutput(g.conv.outShape, 'float32');
  const scratch = new Scratch(backend);
  try {
    if (useWinograd(g)) {
      const biasOff = bias ? offsetOf(kernels, bias) : 0;
      winogradForward(
        kernels,
        scratch,
        g,
        offsetOf(kernels, x),
        offsetOf(kernels, filter),
        offsetOf(kernels, out),
        biasOff,
        flags,
      );
      return out;
    }
    const kk = fh * fw * c;
    const np = ceilDiv(co, nr);
    const bpk = scratch.alloc(np * kk * nr);
    k.pack_b(offsetOf(kernels, filter), kk, co, co, 1, bpk, kk * nr * 4);
    let biasp = 0;
    if (bias) {
      biasp = scratch.alloc(np * nr);
      const heap = heapF32(kernels);
      heap.fill(0, biasp / 4, biasp / 4 + np * nr);
      const bo = offsetOf(kernels, bias) / 4;
      heap.copyWithin(biasp / 4, bo, bo + co);
    }
    const input = paddedInput(kernels, scratch, x, g);
    forward(kernels, scratch, g, input, bpk, offsetOf(kernels, out), biasp, flags);
  } finally {
    scratch.free();
  }
  return out;
}

/**
 * How Conv2DBackpropInput runs. The scatter route (dcol = dy W^T with col2im fused into the micro-kernel's
 * stores) was measured as fast as the rotated-filter convolution or faster on every layer of the reference nets
 * (MNIST's 3x3 25->50 4.4 against 7.3 ms, go's 3x3 64->64 equal; see docs/experiments/core.md), and it needs no
 * padded copy of dy, so it is the default. The 'conv' route (stride 1 only) stays selectable.
 */
export function inputGradientRoute(g: Geometry): 'conv' | 'scatter' {
  const dyGeometry = rotatedGeometry(g);
  return dyGeometry && useWinograd(dyGeometry) ? 'conv' : 'scatter';
}

/** The input gradient at stride 1 as a forward convolution of dy: its geometry, or null where it does not fit. */
function rotatedGeometry(g: Geometry): Geometry | null {
  const conv = g.conv;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const { filterHeight: fh, filterWidth: fw } = conv;
  const { top, left, bottom, right } = conv.padInfo;
  if (conv.strideHeight !== 1 || conv.strideWidth !== 1) return null;
  if (top > fh - 1 || left > fw - 1 || bottom > fh - 1 || right > fw - 1) return null;
  const hp = h + fh - 1;
  const wp = w + fw - 1;
  const dyConv: backend_util.Conv2DInfo = {
    ...conv,
    inHeight: oh,
    inWidth: ow,
    inChannels: co,
    outHeight: h,
    outWidth: w,
    outChannels: ci,
    inShape: [n, oh, ow, co],
    outShape: [n, h, w, ci],
    filterShape: [fh, fw, co, ci],
    padInfo: {
      top: fh - 1 - top,
      left: fw - 1 - left,
      bottom: hp - oh - (fh - 1 - top),
      right: wp - ow - (fw - 1 - left),
      type: 'EXPLICIT',
    },
  };
  const gd = geometry(dyConv);
  return gd && gd.hp === hp && gd.wp === wp ? gd : null;
}

/** dx [n, h, w, ci] of a convolution, from dy and the filter; `route` overrides the choice (tests, benchmarks). */
export function conv2dBackpropInput(
  kernels: CoreKernels,
  g: Geometry,
  dy: TensorInfo,
  filter: TensorInfo,
  route: 'conv' | 'scatter' = inputGradientRoute(g),
): TensorInfo {
  const { backend, k, mr, nr } = kernels;
  const conv = g.conv;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = conv;
  const { top, left } = conv.padInfo;
  const dx = backend.makeOutput([n, h, w, ci], 'float32');
  const dxo = offsetOf(kernels, dx);
  const wo = offsetOf(kernels, filter);
  const dyo = offsetOf(kernels, dy);
  const scratch = new Scratch(backend);
  try {
    if (route === 'conv') {
      // dx = conv(dy padded by (fh-1-top, fw-1-left), W'[kh][kw][co][ci] = W[fh-1-kh][fw-1-kw][ci][co]), stride 1.
      const gd = rotatedGeometry(g);
      if (!gd)
        throw new Error("Conv2DBackpropInput: the 'conv' route needs stride 1 and padding narrower than the filter");
      const taps = fh * fw;
      if (useWinograd(gd)) {
        const rotated = scratch.alloc(taps * ci * co);
        k.rotate_filter(wo, fh, fw, ci, co, rotated);
        winogradForward(kernels, scratch, gd, dyo, rotated, dxo, 0, 0);
        return dx;
      }
      const np = ceilDiv(ci, nr);
      const bpk = scratch.alloc(np * taps * co * nr);
      for (let t = 0; t < taps; t++) {
        k.pack_b(wo + (taps - 1 - t) * ci * co * 4, co, ci, 1, co, bpk + t * co * nr * 4, taps * co * nr * 4);
      }
      const input = paddedInput(kernels, scratch, dy, gd);
      forward(kernels, scratch, gd, input, bpk, dxo, 0, 0);
      return dx;
    }
    // Scatter route: dcol[pixel][k] = dy[pixel][:] . W[k][:], added into the padded dx at the patch positions.
    const m = n * oh * ow;
    const ntiles = ceilDiv(m, mr);
    const L = g.runLen;
    const nq = ceilDiv(L, nr);
    const bpk = scratch.alloc(g.nruns * nq * co * nr);
    for (let r = 0; r < g.nruns; r++)
      k.pack_b(wo + r * L * co * 4, co, L, 1, co, bpk + r * nq * co * nr * 4, co * nr * 4);
    const aind = scratch.alloc(ntiles * mr);
    k.rows_ind(aind, m, ntiles, co * 4);
    const cind = scratch.alloc(ntiles * g.nruns * mr);
    k.conv_ind(cind, n, oh, ow, sh, sw, g.hp, g.wp, ci, g.nruns, g.wp * ci * 4, ntiles);
    const size = n * g.hp * g.wp * ci;
    const dxp = g.padded ? scratch.alloc(size) : dxo;
    heapF32(kernels).fill(0, dxp / 4, dxp / 4 + size);
    k.scatter_gemm(aind, dyo, co, ntiles, m, bpk, g.nruns, L, cind, dxp);
    if (g.padded) k.crop_copy(dxp, n, g.hp, g.wp, ci, dxo, h, w, top, left);
    return dx;
  } catch (err) {
    backend.disposeData(dx.dataId);
    throw err;
  } finally {
    scratch.free();
  }
}

/** Output pixels per reduction block of the filter gradient (dy panel block: 256 * 64 bytes = 16 KB). */
const FILTER_BLOCK = 256;

/** dW [fh, fw, ci, co] of a convolution, from x and dy. */
export function conv2dBackpropFilter(kernels: CoreKernels, g: Geometry, x: TensorInfo, dy: TensorInfo): TensorInfo {
  const { backend, k, mr, nr } = kernels;
  const conv = g.conv;
  const { batchSize: n, inChannels: c, outHeight: oh, outWidth: ow, outChannels: co } = conv;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = conv;
  const dw = backend.makeOutput([fh, fw, c, co], 'float32');
  const dwo = offsetOf(kernels, dw);
  const scratch = new Scratch(backend);
  try {
    if (useWinograd(g)) {
      winogradFilterGrad(kernels, scratch, g, offsetOf(kernels, x), offsetOf(kernels, dy), dwo);
      return dw;
    }
    const m = n * oh * ow;
    // The micro-kernel reads up to MR-1 floats past a patch run; a padded copy has slack, x in place needs
    // memory after it.
    const xo = offsetOf(kernels, x);
    const xEnd = xo + n * conv.inHeight * conv.inWidth * c * 4;
    const mem = heapF32(kernels).buffer.byteLength;
    const input = g.padded || xEnd + 4 * mr + 64 > mem ? forcedPad(kernels, scratch, x, g) : xo;
    // Segments of the reduction: output rows (ow pixels sw*c floats apart), or whole images when ow == 1.
    const rowBytes = g.wp * c * 4;
    const bySeg = ow > 1 || oh === 1;
    const seglen = bySeg ? ow : oh;
    const astride = bySeg ? sw * c * 4 : sh * rowBytes;
    const nsegs = bySeg ? n * oh : n;
    const segs = scratch.alloc(nsegs);
    const heap32 = new Int32Array(heapF32(kernels).buffer, segs, nsegs);
    for (let s = 0; s < nsegs; s++) {
      heap32[s] = bySeg ? (Math.floor(s / oh) * g.hp + (s % oh) * sh) * rowBytes : s * g.hp * rowBytes;
    }
    const np = ceilDiv(co, nr);
    const dyp = scratch.alloc(np * m * nr);
    k.pack_b(offsetOf(kernels, dy), m, co, co, 1, dyp, m * nr * 4);
    heapF32(kernels).fill(0, dwo / 4, dwo / 4 + fh * fw * c * co);
    const group = Math.max(1, Math.round(FILTER_BLOCK / seglen));
    k.filter_grad(input, segs, nsegs, seglen, astride, group, dyp, m, co, g.nruns, g.runLen, rowBytes, dwo);
    return dw;
  } catch (err) {
    backend.disposeData(dw.dataId);
    throw err;
  } finally {
    scratch.free();
  }
}

function forcedPad(kernels: CoreKernels, scratch: Scratch, x: TensorInfo, g: Geometry): number {
  return g.padded ? paddedInput(kernels, scratch, x, g) : paddedInput(kernels, scratch, x, { ...g, padded: true });
}
