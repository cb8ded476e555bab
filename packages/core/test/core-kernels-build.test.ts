import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KERNEL_BUILDS, KERNELS_DIR, buildKernels } from '../kernels/build.js';
import type { KernelBuild } from '../kernels/build.js';

describe("core's committed wasm kernels", () => {
  it('are byte for byte what kernels/build.ts assembles from kernels/generate.ts', async () => {
    const built = await buildKernels();
    for (const name of Object.keys(KERNEL_BUILDS) as KernelBuild[]) {
      const committed = readFileSync(join(KERNELS_DIR, KERNEL_BUILDS[name].file));
      expect(
        committed.length,
        `${KERNEL_BUILDS[name].file}: rebuild with pnpm --filter @cnn-lab/core build:kernels`,
      ).toBe(built[name].length);
      expect(Buffer.compare(committed, Buffer.from(built[name])), KERNEL_BUILDS[name].file).toBe(0);
    }
  });

  it('differ only where they should: the fma build multiplies with relaxed_madd, the simd build never does', async () => {
    const built = await buildKernels();
    // 0xfd 0x85 0x02 is f32x4.relaxed_madd (opcode 0x105 in the SIMD prefix space, LEB128).
    const has = (bytes: Uint8Array) => Buffer.from(bytes).includes(Buffer.from([0xfd, 0x85, 0x02]));
    expect(has(built.fma)).toBe(true);
    expect(has(built.simd)).toBe(false);
  });
});
