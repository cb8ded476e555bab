// Assembles core's wasm kernels from generate.ts with wabt (pinned devDependency) and writes them beside
// this file. `pnpm --filter @cnn-lab/core build:kernels`; test/core-kernels-build.test.ts checks that the
// committed binaries are what this produces.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { kernelWat } from './generate.js';
import type { KernelVariant } from './generate.js';

/** The builds core ships: file name, and the variant generate.ts makes for it. */
export const KERNEL_BUILDS = {
  fma: { file: 'core-kernels-fma.wasm', variant: { build: 'fma', mr: 2, nr: 16 } },
  simd: { file: 'core-kernels-simd.wasm', variant: { build: 'simd', mr: 2, nr: 16 } },
} as const satisfies Record<string, { file: string; variant: KernelVariant }>;

export type KernelBuild = keyof typeof KERNEL_BUILDS;

export const KERNELS_DIR = dirname(fileURLToPath(import.meta.url));

/** The .wasm bytes of every build, assembled from the generated text. */
export async function buildKernels(): Promise<Record<KernelBuild, Uint8Array>> {
  const wabt = await wabtInit();
  const out = {} as Record<KernelBuild, Uint8Array>;
  for (const [name, { file, variant }] of Object.entries(KERNEL_BUILDS) as [
    KernelBuild,
    (typeof KERNEL_BUILDS)[KernelBuild],
  ][]) {
    const module = wabt.parseWat(file.replace(/\.wasm$/, '.wat'), kernelWat(variant), {
      simd: true,
      relaxed_simd: variant.build === 'fma',
      bulk_memory: true,
    });
    try {
      module.resolveNames();
      module.validate();
      out[name] = Uint8Array.from(module.toBinary({ log: false, write_debug_names: false }).buffer);
    } finally {
      module.destroy();
    }
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildKernels();
  for (const [name, bytes] of Object.entries(built) as [KernelBuild, Uint8Array][]) {
    const path = join(KERNELS_DIR, KERNEL_BUILDS[name].file);
    writeFileSync(path, bytes);
    console.log(`${path}: ${bytes.length} bytes`);
  }
}
