import type { backend_util } from '@tensorflow/tfjs';

/**
 * The patch geometry that im2col (forward) and col2im (input gradient) share. The patch matrix has a row
 * per output pixel (n, oh, ow) and a column per tap (kh, kw, c); for one row and one kh the taps inside the
 * image are adjacent pixels of x (NHWC), so each (row, kh) is one run of floats. `visit(x, col, len)` is
 * called for every run: offsets in floats from the start of x [N, H, W, C] and of the patch matrix
 * [N*OH*OW, FH*FW*C]. Taps in the padding are skipped (they stay zero in the patch matrix).
 */
export function forEachPatchRun(
  conv: backend_util.Conv2DInfo,
  visit: (x: number, col: number, len: number) => void,
): void {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = conv;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = conv;
  const { top, left } = conv.padInfo;
  const K = FH * FW * C;
  let row = 0;
  for (let n = 0; n < N; n++) {
    const xn = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - top;
      for (let ow = 0; ow < OW; ow++, row += K) {
        const iw0 = ow * SW - left;
        const kwA = Math.max(0, -iw0);
        const kwB = Math.min(FW, W - iw0);
        if (kwB <= kwA) continue;
        const len = (kwB - kwA) * C;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= H) continue;
          visit(xn + (ih * W + iw0 + kwA) * C, row + (kh * FW + kwA) * C, len);
        }
      }
    }
  }
}
