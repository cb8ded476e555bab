/*
 * Generates the WebAssembly text of core's GEMM and convolution kernels.
 *
 * One register-blocked micro-kernel computes an MR x NR tile of C in MR*NR/4 SIMD accumulators, reading B from
 * a packed panel ([k][NR] floats) and A by broadcast loads: either from MR row pointers that walk along k
 * (`ukr`: GEMM rows, convolution output pixels, im2col-free through an indirection table) or from one pointer
 * whose MR rows sit at consecutive floats and which jumps by a stride per step (`ukt`: the filter gradient,
 * where the rows are filter taps and the reduction runs over output pixels). The drivers loop over tiles and
 * panels inside wasm, so JavaScript makes one call per convolution.
 *
 * The shipped tile is 2 x 16: in V8 on x64 a broadcast load costs about as much issue bandwidth as a
 * multiply-add, so each broadcast should feed as many multiply-adds as the 15 usable SIMD registers allow
 * (2 x 16: 8 accumulators, 4 B vectors, one broadcast, 4 multiply-adds per broadcast). Measured on a Zen 4
 * core, one GEMM at L1-resident sizes: 6 x 8 (6 broadcasts per 12 multiply-adds) ~32 GFLOP/s, 2 x 16 ~45,
 * against ~51 for multiply-add chains with no loads at all.
 *
 * Two builds come from this one source: `fma` multiplies and adds with relaxed-SIMD `f32x4.relaxed_madd`
 * (one fused instruction where the CPU has FMA), `simd` with plain `f32x4.mul` + `f32x4.add`.
 * All pointers and offsets are byte addresses in the memory imported as env.memory (tfjs-backend-wasm's heap).
 */

export interface KernelVariant {
  /** 'fma': relaxed-SIMD fused multiply-add; 'simd': mul + add. */
  build: 'fma' | 'simd';
  /** Rows of the register tile (accumulators: 2 * mr vectors). */
  mr: number;
  /** k steps per pass of ukr's inner loop (1: V8 hoists the loads of an unrolled body and spills). */
  unroll?: number;
  /** Pixel steps per pass of ukt's inner loop (1 or 2). */
  unrollT?: number;
  /** Columns of the register tile, 8 or 16 (default 8): each broadcast of A feeds nr/4 multiply-adds. */
  nr?: number;
  /** Load each B vector once per row instead of once per k step (fewer registers: 2*mr + 2 instead of 2*mr + nr/4 + 1). */
  reloadB?: boolean;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const get = (name: string) => `(local.get $${name})`;
const set = (name: string, value: string) => `(local.set $${name} ${value})`;
const i32 = (n: number) => `(i32.const ${n})`;
const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
const sub = (a: string, b: string) => `(i32.sub ${a} ${b})`;
const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
const inc = (name: string, by: string | number) => set(name, add(get(name), typeof by === 'number' ? i32(by) : by));
/** min of two non-negative i32 values */
const minU = (a: string, b: string) => `(select ${a} ${b} (i32.lt_u ${a} ${b}))`;
const params = (names: string[]) => names.map((n) => `(param $${n} i32)`).join(' ');

const locals = (names: string[], type = 'i32') => names.map((n) => `(local $${n} ${type})`).join(' ');

/** Loop while `cond` holds (tested before each pass). */
function whileLoop(label: string, cond: string, body: string[]): string {
  return `(block $${label}_end (loop $${label} (br_if $${label}_end (i32.eqz ${cond})) ${body.join('\n')} (br $${label})))`;
}

/** for (name = 0; name < limit; name++) */
function forLoop(name: string, limit: string, body: string[]): string {
  return `${set(name, i32(0))} ${whileLoop(`L_${name}`, `(i32.lt_u ${get(name)} ${limit})`, [...body, inc(name, 1)])}`;
}

export function kernelWat(v: KernelVariant): string {
  const MR = v.mr;
  const NR = v.nr ?? 8;
  if (NR !== 8 && NR !== 16) throw new Error(`nr must be 8 or 16, got ${NR}`);
  const NV = NR / 4; // vectors per tile row
  const NB = NR * 4; // bytes per packed B row
  const LNR = Math.log2(NR);
  const LNB = LNR + 2;
  const rows = range(MR);
  const vecs = range(NV);
  const acc = (i: number, j: number) => `c${i}_${j}`;
  const accs = rows.flatMap((i) => vecs.map((j) => acc(i, j)));
  const bregs = vecs.map((j) => `b${j}`);
  const madd = (a: string, b: string, c: string) =>
    v.build === 'fma' ? `(f32x4.relaxed_madd ${a} ${b} ${c})` : `(f32x4.add ${c} (f32x4.mul ${a} ${b}))`;

  /** One k step: NR/4 B vectors at b+boff, MR broadcasts aload(i), MR*NR/4 multiply-adds. */
  const step = (bptr: string, boff: number, aload: (i: number) => string) =>
    v.reloadB
      ? rows.flatMap((i) => [
          set('t', aload(i)),
          ...vecs.flatMap((j) => [
            set('b0', `(v128.load offset=${boff + 16 * j} ${bptr})`),
            set(acc(i, j), madd(get('t'), get('b0'), get(acc(i, j)))),
          ]),
        ])
      : [
          ...vecs.map((j) => set(`b${j}`, `(v128.load offset=${boff + 16 * j} ${bptr})`)),
          ...rows.flatMap((i) => [
            set('t', aload(i)),
            ...vecs.map((j) => set(acc(i, j), madd(get('t'), get(`b${j}`), get(acc(i, j))))),
          ]),
        ];

  /**
   * Writes the tile: rows below mvalid, columns below nvalid, at rowPtr(i); adds to what is there when `accum`
   * (an i32 expression) is non-zero.
   */
  const storeTile = (rowPtr: (i: number) => string, accum: string) => {
    const full = rows.map(
      (i) => `(br_if $st_full (i32.le_u ${get('mvalid')} ${i32(i)}))
        ${set('p', rowPtr(i))}
        (if ${accum} (then
          ${vecs.map((j) => set(acc(i, j), `(f32x4.add ${get(acc(i, j))} (v128.load${j ? ` offset=${16 * j}` : ''} ${get('p')}))`)).join('\n')}))
        ${vecs.map((j) => `(v128.store${j ? ` offset=${16 * j}` : ''} ${get('p')} ${get(acc(i, j))})`).join('\n')}`,
    );
    const partial = rows.map((i) => {
      const lanes = range(NR).map((j) => {
        const lane = `(f32x4.extract_lane ${j % 4} ${get(acc(i, j >> 2))})`;
        return `(br_if $st_row${i} (i32.le_u ${get('nvalid')} ${i32(j)}))
          (if ${accum}
            (then (f32.store offset=${4 * j} ${get('p')} (f32.add (f32.load offset=${4 * j} ${get('p')}) ${lane})))
            (else (f32.store offset=${4 * j} ${get('p')} ${lane})))`;
      });
      return `(br_if $st_part (i32.le_u ${get('mvalid')} ${i32(i)}))
        ${set('p', rowPtr(i))}
        (block $st_row${i} ${lanes.join('\n')})`;
    });
    return `(if (i32.eq ${get('nvalid')} ${i32(NR)})
      (then (block $st_full ${full.join('\n')}))
      (else (block $st_part ${partial.join('\n')})))`;
  };

  // --- ukr: C[MR x 8] (=|+=) sum over runs r, k < kc of A_i[r][k] * B[r*kc + k][0..8] ---------------------
  // A row i of run r starts at abase + i32[aind + (r*MR + i)*4]; B is one packed panel; C row i at
  // cbase + i32[cind + i*4]. bias (when non-zero) points at NR floats that start the accumulators.
  // flags: 1 add into C, 2 relu, 4 relu6 (with 2).
  const U = v.unroll ?? 1;
  const ukr = `(func $ukr (export "ukr")
    ${params(['aind', 'abase', 'nruns', 'kc', 'b', 'cind', 'cbase', 'mvalid', 'nvalid', 'bias', 'flags'])}
    ${locals([...rows.map((i) => `a${i}`), 'k', 'p'])}
    ${locals([...accs, ...bregs, 't'], 'v128')}
    (if ${get('bias')} (then
      ${set('t', `(v128.load ${get('bias')})`)}
      ${rows.map((i) => set(acc(i, 0), get('t'))).join(' ')}
      ${vecs
        .slice(1)
        .map(
          (j) =>
            `${set('t', `(v128.load offset=${16 * j} ${get('bias')})`)} ${rows.map((i) => set(acc(i, j), get('t'))).join(' ')}`,
        )
        .join('\n')}))
    ${whileLoop('runs', get('nruns'), [
      ...rows.map((i) => set(`a${i}`, add(get('abase'), `(i32.load offset=${4 * i} ${get('aind')})`))),
      inc('aind', 4 * MR),
      set('k', get('kc')),
      U === 1
        ? ''
        : `(if (i32.ge_u ${get('k')} ${i32(U)}) (then (loop $k4
        ${range(U)
          .flatMap((u) => step(get('b'), NB * u, (i) => `(v128.load32_splat offset=${4 * u} ${get(`a${i}`)})`))
          .join('\n')}
        ${rows.map((i) => inc(`a${i}`, 4 * U)).join(' ')}
        ${inc('b', NB * U)}
        ${set('k', sub(get('k'), i32(U)))}
        (br_if $k4 (i32.ge_u ${get('k')} ${i32(U)})))))`,
      whileLoop('k1', get('k'), [
        ...step(get('b'), 0, (i) => `(v128.load32_splat ${get(`a${i}`)})`),
        ...rows.map((i) => inc(`a${i}`, 4)),
        inc('b', NB),
        set('k', sub(get('k'), i32(1))),
      ]),
      set('nruns', sub(get('nruns'), i32(1))),
    ])}
    (if (i32.and ${get('flags')} ${i32(6)}) (then
      ${set('b0', '(v128.const f32x4 0 0 0 0)')}
      ${accs.map((a) => set(a, `(f32x4.max ${get(a)} ${get('b0')})`)).join('\n')}
      (if (i32.and ${get('flags')} ${i32(4)}) (then
        ${set('b0', '(v128.const f32x4 6 6 6 6)')}
        ${accs.map((a) => set(a, `(f32x4.min ${get(a)} ${get('b0')})`)).join('\n')}))))
    ${storeTile((i) => add(get('cbase'), `(i32.load offset=${4 * i} ${get('cind')})`), `(i32.and ${get('flags')} ${i32(1)})`)})`;

  // --- ukt: C[MR x 8] += sum over segments s, steps t < seglen of A[s, t, i] * B[s*seglen + t][0..8] -------
  // A[s, t, i] is the float at a + i32[segs + 4s] + t*astride + 4i (row i of the tile = the float i after);
  // C row i at c + i*ldc.
  const UT = v.unrollT ?? 1;
  const ukt = `(func $ukt (export "ukt")
    ${params(['a', 'segs', 'nseg', 'seglen', 'astride', 'b', 'c', 'ldc', 'mvalid', 'nvalid'])}
    ${locals(['p', 'q', 'left', 'stride2'])}
    ${locals([...accs, ...bregs, 't'], 'v128')}
    ${set('stride2', add(get('astride'), get('astride')))}
    ${whileLoop('segs', get('nseg'), [
      set('p', add(get('a'), `(i32.load ${get('segs')})`)),
      inc('segs', 4),
      set('left', get('seglen')),
      ...(UT === 2
        ? [
            `(if (i32.ge_u ${get('left')} ${i32(2)}) (then
              ${set('q', add(get('p'), get('astride')))}
              (loop $two
                ${step(get('b'), 0, (i) => `(v128.load32_splat offset=${4 * i} ${get('p')})`).join('\n')}
                ${step(get('b'), NB, (i) => `(v128.load32_splat offset=${4 * i} ${get('q')})`).join('\n')}
                ${inc('p', get('stride2'))} ${inc('q', get('stride2'))} ${inc('b', 2 * NB)}
                ${set('left', sub(get('left'), i32(2)))}
                (br_if $two (i32.ge_u ${get('left')} ${i32(2)})))))`,
            `(if ${get('left')} (then
              ${step(get('b'), 0, (i) => `(v128.load32_splat offset=${4 * i} ${get('p')})`).join('\n')}
              ${inc('b', NB)}))`,
          ]
        : [
            `(if ${get('left')} (then (loop $one
              ${step(get('b'), 0, (i) => `(v128.load32_splat offset=${4 * i} ${get('p')})`).join('\n')}
              ${inc('p', get('astride'))} ${inc('b', NB)}
              ${set('left', sub(get('left'), i32(1)))}
              (br_if $one ${get('left')}))))`,
          ]),
      set('nseg', sub(get('nseg'), i32(1))),
    ])}
    ${storeTile((i) => add(get('c'), mul(get('ldc'), i32(i))), i32(1))})`;

  // --- drivers ----------------------------------------------------------------------------------------
  const drivers = `
  ;; C[m x n] (=|+=) A B for every MR-row tile: A rows through the indirection table ind ([tile][run][MR] byte
  ;; offsets from abase), B packed in panels of NR columns ([panel][nruns*kc][NR], pstride bytes apart), C rows
  ;; ldc bytes apart from out. bias: 0 or (n rounded up to NR) floats.
  (func $gemm_ind (export "gemm_ind")
    ${params(['ind', 'abase', 'nruns', 'kc', 'ntiles', 'bpk', 'n', 'out', 'ldc', 'm', 'bias', 'flags', 'ctx'])}
    ${locals(['tile', 'panel', 'np', 'pstride', 'tstride', 'mvalid', 'crow', 'i'])}
    ${forLoop('i', i32(MR), [`(i32.store (i32.add ${get('ctx')} (i32.shl ${get('i')} ${i32(2)})) ${mul(get('i'), get('ldc'))})`])}
    ${set('np', `(i32.shr_u ${add(get('n'), i32(NR - 1))} ${i32(LNR)})`)}
    ${set('pstride', mul(mul(get('nruns'), get('kc')), i32(NB)))}
    ${set('tstride', mul(get('nruns'), i32(4 * MR)))}
    ${forLoop('tile', get('ntiles'), [
      set('mvalid', minU(i32(MR), sub(get('m'), mul(get('tile'), i32(MR))))),
      set('crow', add(get('out'), mul(mul(get('tile'), i32(MR)), get('ldc')))),
      forLoop('panel', get('np'), [
        `(call $ukr ${add(get('ind'), mul(get('tile'), get('tstride')))} ${get('abase')} ${get('nruns')} ${get('kc')}
          ${add(get('bpk'), mul(get('panel'), get('pstride')))} ${get('ctx')} ${add(get('crow'), `(i32.shl ${get('panel')} ${i32(LNB)})`)}
          ${get('mvalid')} ${minU(i32(NR), sub(get('n'), `(i32.shl ${get('panel')} ${i32(LNR)})`))}
          (select ${add(get('bias'), `(i32.shl ${get('panel')} ${i32(LNB)})`)} ${i32(0)} ${get('bias')}) ${get('flags')})`,
      ]),
    ])})

  ;; dcol = A B added into scattered rows (col2im fused into the GEMM's store): A rows through aind
  ;; ([tile][MR] offsets from abase, kc floats each), B packed per run and panel ([run][q][kc][NR]),
  ;; the C row of tile row i, run r, panel q at cbase + i32[cind + ((tile*nruns + r)*MR + i)*4] + q*NR*4
  ;; (l columns per run).
  (func (export "scatter_gemm")
    ${params(['aind', 'abase', 'kc', 'ntiles', 'm', 'bpk', 'nruns', 'l', 'cind', 'cbase'])}
    ${locals(['tile', 'run', 'q', 'nq', 'mvalid'])}
    ${set('nq', `(i32.shr_u ${add(get('l'), i32(NR - 1))} ${i32(LNR)})`)}
    ${forLoop('tile', get('ntiles'), [
      set('mvalid', minU(i32(MR), sub(get('m'), mul(get('tile'), i32(MR))))),
      forLoop('run', get('nruns'), [
        forLoop('q', get('nq'), [
          `(call $ukr ${add(get('aind'), mul(get('tile'), i32(4 * MR)))} ${get('abase')} ${i32(1)} ${get('kc')}
            ${add(get('bpk'), mul(mul(add(mul(get('run'), get('nq')), get('q')), get('kc')), i32(NB)))}
            ${add(get('cind'), mul(add(mul(get('tile'), get('nruns')), get('run')), i32(4 * MR)))}
            ${add(get('cbase'), `(i32.shl ${get('q')} ${i32(LNB)})`)}
            ${get('mvalid')} ${minU(i32(NR), sub(get('l'), `(i32.shl ${get('q')} ${i32(LNR)})`))} ${i32(0)} ${i32(1)})`,
        ]),
      ]),
    ])})

  ;; dW[k][co] += sum over output pixels of x-patch[k] * dy[co]: the reduction runs over segments of output
  ;; pixels (segs: byte offsets of each segment's first patch in xp; seglen pixels astride bytes apart),
  ;; g segments per block; dy packed [panel][m][NR] (dyp); k = (run r, l floats per run, runstride bytes apart).
  (func (export "filter_grad")
    ${params(['xp', 'segs', 'nsegs', 'seglen', 'astride', 'g', 'dyp', 'm', 'co', 'nruns', 'l', 'runstride', 'dw'])}
    ${locals(['s0', 'ns', 'panel', 'np', 'run', 'q', 'nq', 'bp', 'k0'])}
    ${set('np', `(i32.shr_u ${add(get('co'), i32(NR - 1))} ${i32(LNR)})`)}
    ${set('nq', `(i32.div_u ${add(get('l'), i32(MR - 1))} ${i32(MR)})`)}
    ${whileLoop('blocks', `(i32.lt_u ${get('s0')} ${get('nsegs')})`, [
      set('ns', minU(get('g'), sub(get('nsegs'), get('s0')))),
      forLoop('panel', get('np'), [
        set(
          'bp',
          add(get('dyp'), `(i32.shl ${add(mul(get('panel'), get('m')), mul(get('s0'), get('seglen')))} ${i32(LNB)})`),
        ),
        forLoop('run', get('nruns'), [
          forLoop('q', get('nq'), [
            set('k0', add(mul(get('run'), get('l')), mul(get('q'), i32(MR)))),
            `(call $ukt ${add(add(get('xp'), mul(get('run'), get('runstride'))), mul(get('q'), i32(4 * MR)))}
              ${add(get('segs'), `(i32.shl ${get('s0')} ${i32(2)})`)} ${get('ns')} ${get('seglen')} ${get('astride')} ${get('bp')}
              ${add(get('dw'), `(i32.shl ${add(mul(get('k0'), get('co')), `(i32.shl ${get('panel')} ${i32(LNR)})`)} ${i32(2)})`)}
              (i32.shl ${get('co')} ${i32(2)})
              ${minU(i32(MR), sub(get('l'), mul(get('q'), i32(MR))))}
              ${minU(i32(NR), sub(get('co'), `(i32.shl ${get('panel')} ${i32(LNR)})`))})`,
          ]),
        ]),
      ]),
      inc('s0', get('g')),
    ])})

  ;; Packs B[k][j] = src[k*sk + j*sn] (float strides) into panels of NR columns: dst + p*pstride + k*NR*4,
  ;; zeros past column n.
  (func (export "pack_b") ${params(['src', 'kk', 'n', 'sk', 'sn', 'dst', 'pstride'])}
    ${locals(['k', 'panel', 'np', 'j', 's', 'd', 'col'])}
    ${set('np', `(i32.shr_u ${add(get('n'), i32(NR - 1))} ${i32(LNR)})`)}
    ${forLoop('k', get('kk'), [
      set('s', add(get('src'), `(i32.shl ${mul(get('k'), get('sk'))} ${i32(2)})`)),
      set('d', add(get('dst'), `(i32.shl ${get('k')} ${i32(LNB)})`)),
      forLoop('panel', get('np'), [
        set('col', `(i32.shl ${get('panel')} ${i32(LNR)})`),
        `(if (i32.and (i32.eq ${get('sn')} ${i32(1)}) (i32.le_u ${add(get('col'), i32(NR))} ${get('n')}))
          (then
            ${vecs.map((j) => `(v128.store${j ? ` offset=${16 * j}` : ''} ${get('d')} (v128.load${j ? ` offset=${16 * j}` : ''} ${get('s')}))`).join('\n')})
          (else ${forLoop('j', i32(NR), [
            `(f32.store (i32.add ${get('d')} (i32.shl ${get('j')} ${i32(2)}))
              (if (result f32) (i32.lt_u ${add(get('col'), get('j'))} ${get('n')})
                (then (f32.load (i32.add ${get('s')} (i32.shl ${mul(get('j'), get('sn'))} ${i32(2)}))))
                (else (f32.const 0))))`,
          ])}))`,
        inc('s', `(i32.shl ${get('sn')} ${i32(LNB)})`),
        inc('d', get('pstride')),
      ]),
    ])})

  ;; dst [n, hp, wp, c] = src [n, h, w, c] placed at (top, left), zeros around.
  (func (export "pad_copy") ${params(['src', 'n', 'h', 'w', 'c', 'dst', 'hp', 'wp', 'top', 'left'])}
    ${locals(['img', 'y', 'row'])}
    ${set('row', `(i32.shl ${mul(get('w'), get('c'))} ${i32(2)})`)}
    (memory.fill ${get('dst')} ${i32(0)} (i32.shl ${mul(mul(mul(get('n'), get('hp')), get('wp')), get('c'))} ${i32(2)}))
    ${forLoop('img', get('n'), [
      forLoop('y', get('h'), [
        `(memory.copy
          (i32.add ${get('dst')} (i32.shl ${mul(add(mul(add(mul(get('img'), get('hp')), add(get('y'), get('top'))), get('wp')), get('left')), get('c'))} ${i32(2)}))
          (i32.add ${get('src')} ${mul(add(mul(get('img'), get('h')), get('y')), get('row'))})
          ${get('row')})`,
      ]),
    ])})

  ;; dst [n, h, w, c] = the window of src [n, hp, wp, c] at (top, left).
  (func (export "crop_copy") ${params(['src', 'n', 'hp', 'wp', 'c', 'dst', 'h', 'w', 'top', 'left'])}
    ${locals(['img', 'y', 'row'])}
    ${set('row', `(i32.shl ${mul(get('w'), get('c'))} ${i32(2)})`)}
    ${forLoop('img', get('n'), [
      forLoop('y', get('h'), [
        `(memory.copy
          (i32.add ${get('dst')} ${mul(add(mul(get('img'), get('h')), get('y')), get('row'))})
          (i32.add ${get('src')} (i32.shl ${mul(add(mul(add(mul(get('img'), get('hp')), add(get('y'), get('top'))), get('wp')), get('left')), get('c'))} ${i32(2)}))
          ${get('row')})`,
      ]),
    ])})

  ;; The indirection table of a convolution: for output pixel m = (img, oy, ox) (tiles of MR, the last
  ;; padded with copies of pixel m-1) and run r, the byte offset of its patch run in the (padded) input
  ;; [n, hp, wp, c]: ((img*hp + oy*sh)*wp + ox*sw)*c*4 + r*runstride. Layout [tile][run][MR].
  (func (export "conv_ind") ${params(['dst', 'n', 'oh', 'ow', 'sh', 'sw', 'hp', 'wp', 'c', 'nruns', 'runstride', 'ntiles'])}
    ${locals(['m', 'total', 'img', 'oy', 'ox', 'base', 'tile', 'i', 'run', 'd'])}
    ${set('total', mul(mul(get('n'), get('oh')), get('ow')))}
    ${forLoop('m', mul(get('ntiles'), i32(MR)), [
      `(if (i32.lt_u ${get('m')} ${get('total')}) (then
        ${set('base', `(i32.shl ${mul(add(mul(add(mul(get('img'), get('hp')), mul(get('oy'), get('sh'))), get('wp')), mul(get('ox'), get('sw'))), get('c'))} ${i32(2)})`)}
        ${inc('ox', 1)}
        (if (i32.eq ${get('ox')} ${get('ow')}) (then ${set('ox', i32(0))} ${inc('oy', 1)}
          (if (i32.eq ${get('oy')} ${get('oh')}) (then ${set('oy', i32(0))} ${inc('img', 1)}))))))`,
      set('tile', `(i32.div_u ${get('m')} ${i32(MR)})`),
      set('i', sub(get('m'), mul(get('tile'), i32(MR)))),
      set('d', add(get('dst'), `(i32.shl ${add(mul(mul(get('tile'), get('nruns')), i32(MR)), get('i'))} ${i32(2)})`)),
      forLoop('run', get('nruns'), [
        `(i32.store ${get('d')} ${add(get('base'), mul(get('run'), get('runstride')))})`,
        inc('d', 4 * MR),
      ]),
    ])})

  ;; Row offsets of a row-major matrix for gemm_ind: dst[tile*MR + i] = min(tile*MR + i, m - 1) * ld.
  (func (export "rows_ind") ${params(['dst', 'm', 'ntiles', 'ld'])}
    ${locals(['r'])}
    ${forLoop('r', mul(get('ntiles'), i32(MR)), [
      `(i32.store (i32.add ${get('dst')} (i32.shl ${get('r')} ${i32(2)})) ${mul(minU(get('r'), sub(get('m'), i32(1))), get('ld'))})`,
    ])})

  ;; Max-pooling gradient: each dy value goes to the first maximum of its window (row by row, strict >, the
  ;; cpu backend's rule; NaN never wins), 4 channels at a time. dx [n, h, w, c] must be zero on entry.
  (func (export "max_pool_grad")
    ${params(['x', 'dy', 'dx', 'n', 'h', 'w', 'c', 'oh', 'ow', 'fh', 'fw', 'sh', 'sw', 'top', 'left'])}
    ${locals(['img', 'oy', 'ox', 'ya', 'yb', 'xa', 'xb', 'y', 'xx', 'c0', 'g', 'off', 'at', 'rowoff', 'pix', 'line'])}
    (local $best v128) (local $where v128) (local $val v128) (local $m v128) (local $sbest f32) (local $sv f32)
    ${set('pix', `(i32.shl ${get('c')} ${i32(2)})`)}
    ${set('line', mul(get('w'), get('pix')))}
    ${forLoop('img', get('n'), [
      forLoop('oy', get('oh'), [
        set('ya', sub(mul(get('oy'), get('sh')), get('top'))),
        set(
          'yb',
          `(select (i32.add ${get('ya')} ${get('fh')}) ${get('h')} (i32.lt_s (i32.add ${get('ya')} ${get('fh')}) ${get('h')}))`,
        ),
        set('ya', `(select ${get('ya')} ${i32(0)} (i32.gt_s ${get('ya')} ${i32(0)}))`),
        forLoop('ox', get('ow'), [
          set('xa', sub(mul(get('ox'), get('sw')), get('left'))),
          set(
            'xb',
            `(select (i32.add ${get('xa')} ${get('fw')}) ${get('w')} (i32.lt_s (i32.add ${get('xa')} ${get('fw')}) ${get('w')}))`,
          ),
          set('xa', `(select ${get('xa')} ${i32(0)} (i32.gt_s ${get('xa')} ${i32(0)}))`),
          set(
            'g',
            add(
              get('dy'),
              `(i32.shl ${mul(add(mul(add(mul(get('img'), get('oh')), get('oy')), get('ow')), get('ox')), get('c'))} ${i32(2)})`,
            ),
          ),
          set('c0', i32(0)),
          whileLoop('cv', `(i32.le_u ${add(get('c0'), i32(4))} ${get('c')})`, [
            set('best', '(v128.const f32x4 -inf -inf -inf -inf)'),
            set('where', '(v128.const i32x4 -1 -1 -1 -1)'),
            set('y', get('ya')),
            set(
              'rowoff',
              `(i32.shl ${add(mul(add(mul(add(mul(get('img'), get('h')), get('ya')), get('w')), get('xa')), get('c')), get('c0'))} ${i32(2)})`,
            ),
            whileLoop('wy', `(i32.lt_s ${get('y')} ${get('yb')})`, [
              set('xx', get('xa')),
              set('off', get('rowoff')),
              whileLoop('wx', `(i32.lt_s ${get('xx')} ${get('xb')})`, [
                set('val', `(v128.load (i32.add ${get('x')} ${get('off')}))`),
                set('m', `(f32x4.gt ${get('val')} ${get('best')})`),
                set('best', `(v128.bitselect ${get('val')} ${get('best')} ${get('m')})`),
                set('where', `(v128.bitselect (i32x4.splat ${get('off')}) ${get('where')} ${get('m')})`),
                inc('off', get('pix')),
                inc('xx', 1),
              ]),
              inc('rowoff', get('line')),
              inc('y', 1),
            ]),
            ...range(4).map(
              (j) => `${set('at', `(i32x4.extract_lane ${j} ${get('where')})`)}
              (if (i32.ge_s ${get('at')} ${i32(0)}) (then
                ${set('off', add(get('dx'), add(get('at'), i32(4 * j))))}
                (f32.store ${get('off')} (f32.add (f32.load ${get('off')}) (f32.load offset=${4 * j} (i32.add ${get('g')} (i32.shl ${get('c0')} ${i32(2)})))))))`,
            ),
            inc('c0', 4),
          ]),
          whileLoop('cs', `(i32.lt_u ${get('c0')} ${get('c')})`, [
            set('sbest', '(f32.const -inf)'),
            set('at', i32(-1)),
            set('y', get('ya')),
            whileLoop('sy', `(i32.lt_s ${get('y')} ${get('yb')})`, [
              set('xx', get('xa')),
              whileLoop('sx', `(i32.lt_s ${get('xx')} ${get('xb')})`, [
                set(
                  'off',
                  `(i32.shl ${add(mul(add(mul(add(mul(get('img'), get('h')), get('y')), get('w')), get('xx')), get('c')), get('c0'))} ${i32(2)})`,
                ),
                set('sv', `(f32.load (i32.add ${get('x')} ${get('off')}))`),
                `(if (f32.gt ${get('sv')} ${get('sbest')}) (then ${set('sbest', get('sv'))} ${set('at', get('off'))}))`,
                inc('xx', 1),
              ]),
              inc('y', 1),
            ]),
            `(if (i32.ge_s ${get('at')} ${i32(0)}) (then
              ${set('off', add(get('dx'), get('at')))}
              (f32.store ${get('off')} (f32.add (f32.load ${get('off')}) (f32.load (i32.add ${get('g')} (i32.shl ${get('c0')} ${i32(2)})))))))`,
            inc('c0', 1),
          ]),
        ]),
      ]),
    ])})

  ;; out[j] = sum over rows r of x[r*cols + j] (a reduction over leading axes, e.g. a bias gradient), in one
  ;; pass: rows outer, 4 columns a vector; blocks of 256 rows are summed apart and then added (float32 error
  ;; grows with the block, not the whole count). part: cols floats of scratch, 16-byte slack.
  (func (export "sum_rows") ${params(['x', 'rows', 'cols', 'out', 'part'])}
    ${locals(['r', 'j', 'r0', 're', 'p', 'q', 'row', 'vend'])}
    ${set('row', `(i32.shl ${get('cols')} ${i32(2)})`)}
    ${set('vend', `(i32.shl (i32.and ${get('cols')} ${i32(-4)}) ${i32(2)})`)}
    (memory.fill ${get('out')} ${i32(0)} ${get('row')})
    ${whileLoop('blk', `(i32.lt_u ${get('r0')} ${get('rows')})`, [
      set('re', minU(add(get('r0'), i32(256)), get('rows'))),
      `(memory.fill ${get('part')} ${i32(0)} ${get('row')})`,
      set('r', get('r0')),
      set('p', add(get('x'), mul(get('r0'), get('row')))),
      whileLoop('rw', `(i32.lt_u ${get('r')} ${get('re')})`, [
        set('j', i32(0)),
        whileLoop('vc', `(i32.lt_u ${get('j')} ${get('vend')})`, [
          set('q', add(get('part'), get('j'))),
          `(v128.store ${get('q')} (f32x4.add (v128.load ${get('q')}) (v128.load (i32.add ${get('p')} ${get('j')}))))`,
          inc('j', 16),
        ]),
        whileLoop('sc', `(i32.lt_u ${get('j')} ${get('row')})`, [
          set('q', add(get('part'), get('j'))),
          `(f32.store ${get('q')} (f32.add (f32.load ${get('q')}) (f32.load (i32.add ${get('p')} ${get('j')}))))`,
          inc('j', 4),
        ]),
        inc('p', get('row')),
        inc('r', 1),
      ]),
      set('j', i32(0)),
      whileLoop('acc', `(i32.lt_u ${get('j')} ${get('row')})`, [
        set('q', add(get('out'), get('j'))),
        `(f32.store ${get('q')} (f32.add (f32.load ${get('q')}) (f32.load (i32.add ${get('part')} ${get('j')}))))`,
        inc('j', 4),
      ]),
      set('r0', get('re')),
    ])})

  ;; A mostly-zero input's non-zeros, pixel by pixel: for pixel p of x [npix, c], entries start[p] .. start[p+1] - 1
  ;; of ent, each 8 bytes: the byte offset ch * co * 4 of channel ch's filter row, then the value.
  (func (export "sparse_rows") ${params(['x', 'npix', 'c', 'co', 'ent', 'start'])}
    ${locals(['p', 'ch', 'k', 'src'])}
    (local $v f32)
    ${set('src', get('x'))}
    ${forLoop('p', get('npix'), [
      `(i32.store (i32.add ${get('start')} (i32.shl ${get('p')} ${i32(2)})) ${get('k')})`,
      forLoop('ch', get('c'), [
        `(local.set $v (f32.load ${get('src')}))`,
        inc('src', 4),
        `(if (f32.ne (local.get $v) (f32.const 0)) (then
          (i32.store (i32.add ${get('ent')} (i32.shl ${get('k')} ${i32(3)})) (i32.shl ${mul(get('ch'), get('co'))} ${i32(2)}))
          (f32.store offset=4 (i32.add ${get('ent')} (i32.shl ${get('k')} ${i32(3)})) (local.get $v))
          ${inc('k', 1)}))`,
      ]),
    ])}
    (i32.store (i32.add ${get('start')} (i32.shl ${get('npix')} ${i32(2)})) ${get('k')}))

  ;; A stride-1 convolution of a mostly-zero input (a Go position's planes) from its non-zeros (sparse_rows of x
  ;; [n, h, w, c]): each output pixel, 16 channels at a time in registers, adds v * w [ky, kx, ch, :] for every
  ;; non-zero (ch, v) of every input pixel its taps reach; then bias (0: none) and relu / relu6 (flags 2 / 6).
  ;; w is the layer's kernel as stored, [fh, fw, c, co]; co a multiple of 16. Work is non-zeros x taps x co.
  (func (export "sparse_conv") ${params(['start', 'ent', 'n', 'h', 'w', 'c', 'wt', 'co', 'out', 'oh', 'ow', 'fh', 'fw', 'top', 'left', 'bias', 'flags'])}
    ${locals(['img', 'oy', 'ox', 'cc', 'ky', 'kx', 'iy', 'ix', 'o', 'e', 'eend', 'wb', 'wp', 'row', 'tap', 'p'])}
    ${locals(['vv', ...range(NV).map((j) => `a${j}`)], 'v128')}
    ${set('row', `(i32.shl ${get('co')} ${i32(2)})`)}
    ${set('tap', mul(get('c'), get('row')))}
    ${set('o', get('out'))}
    ${forLoop('img', get('n'), [
      forLoop('oy', get('oh'), [
        forLoop('ox', get('ow'), [
          set('cc', i32(0)),
          whileLoop('cb', `(i32.lt_u ${get('cc')} ${get('row')})`, [
            ...range(NV).map(
              (j) =>
                `(if ${get('bias')}
                (then (local.set $a${j} (v128.load offset=${16 * j} (i32.add ${get('bias')} ${get('cc')}))))
                (else (local.set $a${j} (v128.const f32x4 0 0 0 0))))`,
            ),
            forLoop('ky', get('fh'), [
              set('iy', sub(add(get('oy'), get('ky')), get('top'))),
              // unsigned: a row above the image is out of range too
              `(if (i32.lt_u ${get('iy')} ${get('h')}) (then
                ${forLoop('kx', get('fw'), [
                  set('ix', sub(add(get('ox'), get('kx')), get('left'))),
                  `(if (i32.lt_u ${get('ix')} ${get('w')}) (then
                    ${set('p', `(i32.add ${get('start')} (i32.shl ${add(mul(add(mul(get('img'), get('h')), get('iy')), get('w')), get('ix'))} ${i32(2)}))`)}
                    ${set('e', add(get('ent'), `(i32.shl (i32.load ${get('p')}) ${i32(3)})`))}
                    ${set('eend', add(get('ent'), `(i32.shl (i32.load offset=4 ${get('p')}) ${i32(3)})`))}
                    ${set('wb', add(add(get('wt'), mul(add(mul(get('ky'), get('fw')), get('kx')), get('tap'))), get('cc')))}
                    ${whileLoop('nz', `(i32.lt_u ${get('e')} ${get('eend')})`, [
                      '(local.set $vv (v128.load32_splat offset=4 (local.get $e)))',
                      set('wp', add(get('wb'), `(i32.load ${get('e')})`)),
                      ...range(NV).map(
                        (j) =>
                          `(local.set $a${j} ${madd('(local.get $vv)', `(v128.load offset=${16 * j} ${get('wp')})`, `(local.get $a${j})`)})`,
                      ),
                      inc('e', 8),
                    ])}))`,
                ])}))`,
            ]),
            ...range(NV).map(
              (j) =>
                `(if (i32.and ${get('flags')} ${i32(6)}) (then
                (local.set $a${j} (f32x4.max (local.get $a${j}) (v128.const f32x4 0 0 0 0)))
                (if (i32.and ${get('flags')} ${i32(4)}) (then
                  (local.set $a${j} (f32x4.min (local.get $a${j}) (v128.const f32x4 6 6 6 6)))))))
              (v128.store offset=${16 * j} (i32.add ${get('o')} ${get('cc')}) (local.get $a${j}))`,
            ),
            inc('cc', 16 * NV),
          ]),
          inc('o', get('row')),
        ]),
      ]),
    ])})

${winogradWat(MR, NR, madd)}

  ;; dst [c, r] = src [r, c] transposed, in 8 x 8 blocks.
  (func (export "transpose") ${params(['src', 'r', 'c', 'dst'])}
    ${locals(['i0', 'j0', 'i', 'j', 'ie', 'je'])}
    ${whileLoop('ib', `(i32.lt_u ${get('i0')} ${get('r')})`, [
      set('ie', minU(add(get('i0'), i32(8)), get('r'))),
      set('j0', i32(0)),
      whileLoop('jb', `(i32.lt_u ${get('j0')} ${get('c')})`, [
        set('je', minU(add(get('j0'), i32(8)), get('c'))),
        set('i', get('i0')),
        whileLoop('ii', `(i32.lt_u ${get('i')} ${get('ie')})`, [
          set('j', get('j0')),
          whileLoop('jj', `(i32.lt_u ${get('j')} ${get('je')})`, [
            `(f32.store (i32.add ${get('dst')} (i32.shl ${add(mul(get('j'), get('r')), get('i'))} ${i32(2)}))
              (f32.load (i32.add ${get('src')} (i32.shl ${add(mul(get('i'), get('c')), get('j'))} ${i32(2)}))))`,
            inc('j', 1),
          ]),
          inc('i', 1),
        ]),
        inc('j0', 8),
      ]),
      inc('i0', 8),
    ])})
  `;

  // --- peak: the arithmetic ceiling, 12 independent multiply-add chains and no memory traffic --------------
  // Returns a lane sum so the work is not dead. FLOP = n * 12 chains * 4 lanes * 2.
  const chains = range(12).map((i) => `m${i}`);
  const peak = `(func (export "peak") (param $n i32) (result f32)
    ${locals([...chains, 'x', 'y'], 'v128')}
    ${set('x', '(v128.const f32x4 0.999 0.999 0.999 0.999)')}
    ${set('y', '(v128.const f32x4 0.001 0.001 0.001 0.001)')}
    (if ${get('n')} (then (loop $L
      ${chains.map((a) => set(a, madd(get(a), get('x'), get('y')))).join('\n')}
      ${set('n', sub(get('n'), i32(1)))}
      (br_if $L ${get('n')}))))
    ${set(
      'x',
      chains.map(get).reduce((s, a) => `(f32x4.add ${s} ${a})`),
    )}
    (f32.add (f32.add (f32x4.extract_lane 0 ${get('x')}) (f32x4.extract_lane 1 ${get('x')}))
      (f32.add (f32x4.extract_lane 2 ${get('x')}) (f32x4.extract_lane 3 ${get('x')}))))`;

  return `;; Generated by packages/core/kernels/generate.ts (build '${v.build}', MR ${MR}, NR ${NR}${v.reloadB ? ', B reloaded per row' : ''}); do not edit.
(module
  (import "env" "memory" (memory 1))
  (global (export "mr") i32 ${i32(MR)})
  (global (export "nr") i32 ${i32(NR)})
  ${ukr}
  ${ukt}
  ${drivers}
  ${adadeltaWat()}
  ${peak})
`;
}

/**
 * Zeiler's Adadelta on n floats (core's ZeilerAdadelta, one pass instead of a dozen tensor ops):
 *   eg = ag rho + g^2 (1 - rho);  u = (sqrt(au + eps) / sqrt(eg + eps)) g;  au = au rho + u^2 (1 - rho);  ag = eg;
 *   out = v - u lr.
 * Plain multiplies and adds in both builds (no fused multiply-add), each operation in the tensor ops' order, so
 * every value is theirs bit for bit. Four floats a vector, then the rest one at a time. Pointers are byte
 * addresses; rho1 is 1 - rho as float32.
 */
function adadeltaWat(): string {
  const splat = (x: string) => `(f32x4.splat (local.get $${x}))`;
  const step = (
    T: 'f32x4' | 'f32',
    load: (p: string) => string,
    store: (p: string, x: string) => string,
    k: {
      R: string;
      R1: string;
      EP: string;
      LR: string;
      G: string;
      E: string;
      U: string;
    },
  ) => {
    const at = (p: string) => add(get(p), get('i'));
    return [
      `(local.set $${k.G} ${load(at('g'))})`,
      `(local.set $${k.E} (${T}.add (${T}.mul ${load(at('ag'))} ${k.R}) (${T}.mul (${T}.mul ${get(k.G)} ${get(k.G)}) ${k.R1})))`,
      `(local.set $${k.U} (${T}.mul (${T}.div (${T}.sqrt (${T}.add ${load(at('au'))} ${k.EP})) (${T}.sqrt (${T}.add ${get(k.E)} ${k.EP}))) ${get(k.G)}))`,
      store(
        at('au'),
        `(${T}.add (${T}.mul ${load(at('au'))} ${k.R}) (${T}.mul (${T}.mul ${get(k.U)} ${get(k.U)}) ${k.R1}))`,
      ),
      store(at('ag'), get(k.E)),
      store(at('out'), `(${T}.sub ${load(at('v'))} (${T}.mul ${get(k.U)} ${k.LR}))`),
    ];
  };
  const vector = step(
    'f32x4',
    (p) => `(v128.load ${p})`,
    (p, x) => `(v128.store ${p} ${x})`,
    {
      R: get('R'),
      R1: get('R1'),
      EP: get('EP'),
      LR: get('LR'),
      G: 'G',
      E: 'E',
      U: 'U',
    },
  );
  const scalar = step(
    'f32',
    (p) => `(f32.load ${p})`,
    (p, x) => `(f32.store ${p} ${x})`,
    {
      R: get('rho'),
      R1: get('rho1'),
      EP: get('eps'),
      LR: get('lr'),
      G: 'gs',
      E: 'es',
      U: 'us',
    },
  );
  return `
  (func (export "adadelta") ${params(['v', 'g', 'ag', 'au', 'out', 'n'])}
    (param $rho f32) (param $rho1 f32) (param $eps f32) (param $lr f32)
    ${locals(['i', 'end4', 'end'])}
    ${locals(['G', 'E', 'U', 'R', 'R1', 'EP', 'LR'], 'v128')}
    ${locals(['gs', 'es', 'us'], 'f32')}
    (local.set $R ${splat('rho')}) (local.set $R1 ${splat('rho1')}) (local.set $EP ${splat('eps')}) (local.set $LR ${splat('lr')})
    ${set('end4', `(i32.shl (i32.and ${get('n')} ${i32(-4)}) ${i32(2)})`)}
    ${set('end', `(i32.shl ${get('n')} ${i32(2)})`)}
    ${set('i', i32(0))}
    ${whileLoop('adv', `(i32.lt_u ${get('i')} ${get('end4')})`, [...vector, inc('i', 16)])}
    ${whileLoop('ads', `(i32.lt_u ${get('i')} ${get('end')})`, [...scalar, inc('i', 4)])})`;
}

/*
 * Winograd F(4x4, 3x3) for 3x3 stride-1 convolutions (Lavin & Gray 2016, points 0, +-1, +-2, infinity): an
 * output tile of 4x4 pixels costs 36 multiplies per (input, output) channel pair instead of 144. The
 * convolution becomes 36 GEMMs [tiles x C] . [C x CO] between an input transform (B^T d B of each 6x6 input
 * tile), a filter transform (G g G^T) and an output transform (A^T m A, with bias and activation).
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Channels run 4 to a SIMD vector; inputs are padded to a multiple of 4 channels, outputs must be one.
 */
function winogradWat(MR: number, NR: number, madd: (a: string, b: string, c: string) => string): string {
  const f = (x: number) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;
  const vadd = (a: string, b: string) => `(f32x4.add ${a} ${b})`;
  const vsub = (a: string, b: string) => `(f32x4.sub ${a} ${b})`;
  const vmul = (a: string, b: string) => `(f32x4.mul ${a} ${b})`;
  const L = (n: string) => `(local.get $${n})`;
  const S = (n: string, v: string) => `(local.set $${n} ${v})`;
  // 6-point transforms on locals i0..i5 into o0..o5 (or o0..o3): B^T, G (3 -> 6) and A^T (6 -> 4).
  const bt = [
    vadd(vsub(vmul(f(4), L('i0')), vmul(f(5), L('i2'))), L('i4')),
    vsub(vadd(L('i3'), L('i4')), vmul(f(4), vadd(L('i1'), L('i2')))),
    vadd(vmul(f(4), vsub(L('i1'), L('i2'))), vsub(L('i4'), L('i3'))),
    vadd(vmul(f(2), vsub(L('i3'), L('i1'))), vsub(L('i4'), L('i2'))),
    vadd(vmul(f(2), vsub(L('i1'), L('i3'))), vsub(L('i4'), L('i2'))),
    vadd(vsub(vmul(f(4), L('i1')), vmul(f(5), L('i3'))), L('i5')),
  ];
  const gt = [
    vmul(f(0.25), L('i0')),
    vmul(f(-1 / 6), vadd(vadd(L('i0'), L('i1')), L('i2'))),
    vmul(f(-1 / 6), vadd(vsub(L('i0'), L('i1')), L('i2'))),
    vadd(vadd(vmul(f(1 / 24), L('i0')), vmul(f(1 / 12), L('i1'))), vmul(f(1 / 6), L('i2'))),
    vadd(vsub(vmul(f(1 / 24), L('i0')), vmul(f(1 / 12), L('i1'))), vmul(f(1 / 6), L('i2'))),
    L('i2'),
  ];
  const at = [
    vadd(vadd(vadd(L('i0'), L('i1')), vadd(L('i2'), L('i3'))), L('i4')),
    vadd(vsub(L('i1'), L('i2')), vmul(f(2), vsub(L('i3'), L('i4')))),
    vadd(vadd(L('i1'), L('i2')), vmul(f(4), vadd(L('i3'), L('i4')))),
    vadd(vadd(vsub(L('i1'), L('i2')), vmul(f(8), vsub(L('i3'), L('i4')))), L('i5')),
  ];
  // The filter gradient uses the same algorithm transposed: dW = G^T [sum over tiles (A dy A^T) . (B^T x B)] G,
  // A (6x4) the transpose of A^T, G^T (3x6).
  const a64 = [
    L('i0'),
    vadd(vadd(L('i0'), L('i1')), vadd(L('i2'), L('i3'))),
    vsub(vadd(L('i0'), L('i2')), vadd(L('i1'), L('i3'))),
    vadd(vadd(L('i0'), vmul(f(2), L('i1'))), vadd(vmul(f(4), L('i2')), vmul(f(8), L('i3')))),
    vsub(vadd(L('i0'), vmul(f(4), L('i2'))), vadd(vmul(f(2), L('i1')), vmul(f(8), L('i3')))),
    L('i3'),
  ];
  const gt63 = [
    vadd(vsub(vmul(f(0.25), L('i0')), vmul(f(1 / 6), vadd(L('i1'), L('i2')))), vmul(f(1 / 24), vadd(L('i3'), L('i4')))),
    vadd(vmul(f(1 / 6), vsub(L('i2'), L('i1'))), vmul(f(1 / 12), vsub(L('i3'), L('i4')))),
    vadd(vmul(f(1 / 6), vsub(vadd(L('i3'), L('i4')), vadd(L('i1'), L('i2')))), L('i5')),
  ];
  void madd;
  const io = `(local $i0 v128) (local $i1 v128) (local $i2 v128) (local $i3 v128) (local $i4 v128) (local $i5 v128)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128) (local $o4 v128) (local $o5 v128)`;
  /** Loads i0..i(n-1) from load(k), applies the transform, stores o_k with store(k, value). */
  const apply = (rows: string[], n: number, load: (k: number) => string, store: (k: number, v: string) => string) =>
    [
      ...Array.from({ length: n }, (_, k) => S(`i${k}`, load(k))),
      ...rows.map((e, k) => S(`o${k}`, e)),
      ...rows.map((_, k) => store(k, L(`o${k}`))),
    ].join('\n');
  const i32 = (n: number) => `(i32.const ${n})`;
  const add = (a: string, b: string) => `(i32.add ${a} ${b})`;
  const mul = (a: string, b: string) => `(i32.mul ${a} ${b})`;
  const loop = (v: string, limit: string, body: string, step = 1) =>
    `(local.set $${v} (i32.const 0)) (block $${v}_end (loop $${v}_loop (br_if $${v}_end (i32.ge_u (local.get $${v}) ${limit})) ${body} (local.set $${v} (i32.add (local.get $${v}) (i32.const ${step}))) (br $${v}_loop)))`;
  void MR;
  return `
  ;; dst [n, hp, wp, cp] = src [n, h, w, c] placed at (top, left), zeros around and in channels c..cp-1.
  (func (export "pad_copy_c") (param $src i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32) (param $dst i32)
      (param $hp i32) (param $wp i32) (param $cp i32) (param $top i32) (param $left i32)
    (local $img i32) (local $y i32) (local $x i32) (local $s i32) (local $d i32)
    (memory.fill (local.get $dst) ${i32(0)} (i32.shl ${mul(mul(mul(L('n'), L('hp')), L('wp')), L('cp'))} ${i32(2)}))
    (local.set $s (local.get $src))
    ${loop(
      'img',
      L('n'),
      loop(
        'y',
        L('h'),
        `
      (local.set $d ${add(L('dst'), `(i32.shl ${mul(add(mul(add(mul(L('img'), L('hp')), add(L('y'), L('top'))), L('wp')), L('left')), L('cp'))} ${i32(2)})`)})
      ${loop(
        'x',
        L('w'),
        `(memory.copy (local.get $d) (local.get $s) (i32.shl (local.get $c) ${i32(2)}))
        (local.set $d (i32.add (local.get $d) (i32.shl (local.get $cp) ${i32(2)})))
        (local.set $s (i32.add (local.get $s) (i32.shl (local.get $c) ${i32(2)})))`,
      )}`,
      ),
    )})

  ;; dst [kh][kw][co][ci] = w [fh-1-kh][fw-1-kw][ci][co]: the filter of the input gradient as a convolution.
  (func (export "rotate_filter") (param $w i32) (param $fh i32) (param $fw i32) (param $ci i32) (param $co i32) (param $dst i32)
    (local $t i32) (local $taps i32) (local $a i32) (local $b i32) (local $src i32) (local $d i32)
    (local.set $taps ${mul(L('fh'), L('fw'))})
    ${loop(
      't',
      L('taps'),
      `
      (local.set $src ${add(L('w'), `(i32.shl ${mul(mul(`(i32.sub (i32.sub ${L('taps')} ${i32(1)}) ${L('t')})`, L('ci')), L('co'))} ${i32(2)})`)})
      (local.set $d ${add(L('dst'), `(i32.shl ${mul(mul(L('t'), L('ci')), L('co'))} ${i32(2)})`)})
      ${loop(
        'a',
        L('ci'),
        loop(
          'b',
          L('co'),
          `(f32.store ${add(L('d'), `(i32.shl ${add(mul(L('b'), L('ci')), L('a'))} ${i32(2)})`)}
          (f32.load ${add(L('src'), `(i32.shl ${add(mul(L('a'), L('co')), L('b'))} ${i32(2)})`)}))`,
        ),
      )}`,
    )})

  ;; Winograd filter transform U = G g G^T of w [3][3][ci][co] (co a multiple of 4), written straight into the
  ;; packed B panels of the 36 GEMMs: element (xi, ci, co) at dst + (((xi*np + co/NR)*cp + ci)*NR + co%NR)*4.
  ;; dst must be zero on entry (rows ci..cp-1 and the columns past co stay zero). tmp: 18 vectors of scratch.
  (func (export "wino_filter") (param $w i32) (param $ci i32) (param $co i32) (param $cp i32) (param $dst i32) (param $tmp i32)
    (local $c i32) (local $g i32) (local $np i32) (local $src i32) (local $base i32) (local $xs i32)
    ${io}
    (local.set $np (i32.div_u ${add(L('co'), i32(NR - 1))} ${i32(NR)}))
    (local.set $xs ${mul(mul(L('np'), L('cp')), i32(NR * 4))})
    ${loop(
      'c',
      L('ci'),
      loop(
        'g',
        L('co'),
        `
      (local.set $src ${add(L('w'), `(i32.shl ${add(mul(L('c'), L('co')), L('g'))} ${i32(2)})`)})
      ;; columns kw: G applied down kh (3 -> 6), into tmp[row][kw]
      ${[0, 1, 2]
        .map((kw) =>
          apply(
            gt,
            3,
            (kh) => `(v128.load (i32.add ${L('src')} ${mul(mul(L('ci'), L('co')), i32(4 * (kh * 3 + kw)))}))`,
            (r, v) => `(v128.store offset=${(r * 3 + kw) * 16} ${L('tmp')} ${v})`,
          ),
        )
        .join('\n')}
      (local.set $base ${add(L('dst'), `(i32.shl ${add(mul(add(mul(`(i32.div_u ${L('g')} ${i32(NR)})`, L('cp')), L('c')), i32(NR)), `(i32.rem_u ${L('g')} ${i32(NR)})`)} ${i32(2)})`)})
      ;; rows: G applied along kw (3 -> 6), stored at xi = 6*row + col
      ${[0, 1, 2, 3, 4, 5]
        .map((r) =>
          apply(
            gt,
            3,
            (kw) => `(v128.load offset=${(r * 3 + kw) * 16} ${L('tmp')})`,
            (col, v) => `(v128.store (i32.add ${L('base')} ${mul(L('xs'), i32(r * 6 + col))}) ${v})`,
          ),
        )
        .join('\n')}`,
        4,
      ),
    )})

  ;; Winograd input transform V = B^T d B of the 6x6 tiles t0..t0+cnt-1 (stride 4; tile t = (img, ty, tx) of
  ;; n x th x tw) of xp [n, hp, wp, cp] (hp >= 4th + 2, wp >= 4tw + 2): V [36][cnt][cp]. tmp: 36 vectors.
  (func $wino_in (export "wino_in") (param $xp i32) (param $n i32) (param $hp i32) (param $wp i32) (param $cp i32)
      (param $th i32) (param $tw i32) (param $v i32) (param $tmp i32) (param $t0 i32) (param $cnt i32)
    (local $img i32) (local $ty i32) (local $tx i32) (local $c i32) (local $t i32) (local $q i32) (local $per i32)
    (local $src i32) (local $row i32) (local $pix i32) (local $dst i32) (local $xs i32)
    ${io}
    (local.set $per ${mul(L('th'), L('tw'))})
    (local.set $pix (i32.shl ${L('cp')} ${i32(2)}))
    (local.set $row ${mul(L('wp'), L('pix'))})
    (local.set $xs ${mul(L('cnt'), L('pix'))})
    ${loop(
      't',
      L('cnt'),
      `
      (local.set $q (i32.add ${L('t0')} ${L('t')}))
      (local.set $img (i32.div_u ${L('q')} ${L('per')}))
      (local.set $q (i32.sub ${L('q')} ${mul(L('img'), L('per'))}))
      (local.set $ty (i32.div_u ${L('q')} ${L('tw')}))
      (local.set $tx (i32.sub ${L('q')} ${mul(L('ty'), L('tw'))}))
      ${loop(
        'c',
        L('cp'),
        `
        (local.set $src ${add(L('xp'), add(mul(add(mul(L('img'), L('hp')), `(i32.shl ${L('ty')} ${i32(2)})`), L('row')), add(mul(`(i32.shl ${L('tx')} ${i32(2)})`, L('pix')), `(i32.shl ${L('c')} ${i32(2)})`)))})
        ${[0, 1, 2, 3, 4, 5]
          .map((j) =>
            apply(
              bt,
              6,
              (i) => `(v128.load (i32.add ${L('src')} ${add(mul(L('row'), i32(i)), mul(L('pix'), i32(j)))}))`,
              (r, v) => `(v128.store offset=${(r * 6 + j) * 16} ${L('tmp')} ${v})`,
            ),
          )
          .join('\n')}
        (local.set $dst ${add(L('v'), add(mul(L('t'), L('pix')), `(i32.shl ${L('c')} ${i32(2)})`))})
        ${[0, 1, 2, 3, 4, 5]
          .map((r) =>
            apply(
              bt,
              6,
              (j) => `(v128.load offset=${(r * 6 + j) * 16} ${L('tmp')})`,
              (col, v) => `(v128.store (i32.add ${L('dst')} ${mul(L('xs'), i32(r * 6 + col))}) ${v})`,
            ),
          )
          .join('\n')}`,
        4,
      )}`,
    )})

  ;; The 36 GEMMs: M[xi] [T][co] = V[xi] [T][cp] . U[xi] [cp][co] (U packed by wino_filter). ind: rows_ind(T, cp*4).
  (func $wino_gemm (export "wino_gemm") (param $ind i32) (param $v i32) (param $tiles i32) (param $cp i32) (param $bpk i32)
      (param $co i32) (param $m i32) (param $ctx i32)
    (local $xi i32) (local $np i32) (local $ntiles i32)
    (local.set $np (i32.div_u ${add(L('co'), i32(NR - 1))} ${i32(NR)}))
    (local.set $ntiles (i32.div_u ${add(L('tiles'), i32(MR - 1))} ${i32(MR)}))
    ${loop(
      'xi',
      i32(36),
      `(call $gemm_ind ${L('ind')} ${add(L('v'), `(i32.shl ${mul(mul(L('xi'), L('tiles')), L('cp'))} ${i32(2)})`)} ${i32(1)} ${L('cp')} ${L('ntiles')}
        ${add(L('bpk'), mul(mul(mul(L('xi'), L('np')), L('cp')), i32(NR * 4)))} ${L('co')}
        ${add(L('m'), `(i32.shl ${mul(mul(L('xi'), L('tiles')), L('co'))} ${i32(2)})`)} (i32.shl ${L('co')} ${i32(2)}) ${L('tiles')} ${i32(0)} ${i32(0)} ${L('ctx')})`,
    )})

  ;; Winograd output transform: out [n, oh, ow, co] = act(A^T m A + bias) of tiles t0..t0+cnt-1, M [36][cnt][co]
  ;; (co a multiple of 4; bias 0 or co floats; flags 2 relu, 6 relu6). tmp: 24 vectors of scratch.
  (func $wino_out (export "wino_out") (param $m i32) (param $n i32) (param $th i32) (param $tw i32) (param $co i32)
      (param $oh i32) (param $ow i32) (param $out i32) (param $bias i32) (param $flags i32) (param $tmp i32) (param $t0 i32) (param $cnt i32)
    (local $img i32) (local $ty i32) (local $tx i32) (local $c i32) (local $t i32) (local $q i32) (local $per i32)
    (local $src i32) (local $xs i32) (local $pix i32) (local $dst i32) (local $rows i32) (local $cols i32)
    (local $b v128) (local $zero v128) (local $six v128)
    ${io}
    (local.set $per ${mul(L('th'), L('tw'))})
    (local.set $pix (i32.shl ${L('co')} ${i32(2)}))
    (local.set $xs ${mul(L('cnt'), L('pix'))})
    (local.set $six ${f(6)})
    ${loop(
      't',
      L('cnt'),
      `
      (local.set $q (i32.add ${L('t0')} ${L('t')}))
      (local.set $img (i32.div_u ${L('q')} ${L('per')}))
      (local.set $q (i32.sub ${L('q')} ${mul(L('img'), L('per'))}))
      (local.set $ty (i32.div_u ${L('q')} ${L('tw')}))
      (local.set $tx (i32.sub ${L('q')} ${mul(L('ty'), L('tw'))}))
      (local.set $rows (i32.sub ${L('oh')} (i32.shl ${L('ty')} ${i32(2)})))
      (local.set $cols (i32.sub ${L('ow')} (i32.shl ${L('tx')} ${i32(2)})))
      ${loop(
        'c',
        L('co'),
        `
        (local.set $src ${add(L('m'), add(mul(L('t'), L('pix')), `(i32.shl ${L('c')} ${i32(2)})`))})
        ;; rows r of the 6x6: A^T along the columns, into tmp[r][0..3]
        ${[0, 1, 2, 3, 4, 5]
          .map((r) =>
            apply(
              at,
              6,
              (j) => `(v128.load (i32.add ${L('src')} ${mul(L('xs'), i32(r * 6 + j))}))`,
              (k, v) => `(v128.store offset=${(r * 4 + k) * 16} ${L('tmp')} ${v})`,
            ),
          )
          .join('\n')}
        (local.set $b (if (result v128) ${L('bias')} (then (v128.load (i32.add ${L('bias')} (i32.shl ${L('c')} ${i32(2)})))) (else (local.get $zero))))
        ;; columns k: A^T down the rows gives output pixels (i, k) of the tile
        ${[0, 1, 2, 3]
          .map((k) =>
            apply(
              at,
              6,
              (r) => `(v128.load offset=${(r * 4 + k) * 16} ${L('tmp')})`,
              (i, v) => `
              (if (i32.and (i32.gt_s ${L('rows')} ${i32(i)}) (i32.gt_s ${L('cols')} ${i32(k)})) (then
                (local.set $i0 (f32x4.add ${v} ${L('b')}))
                (if (i32.and ${L('flags')} ${i32(6)}) (then (local.set $i0 (f32x4.max ${L('i0')} ${L('zero')}))
                  (if (i32.and ${L('flags')} ${i32(4)}) (then (local.set $i0 (f32x4.min ${L('i0')} ${L('six')}))))))
                (v128.store ${add(L('out'), add(mul(add(mul(add(mul(L('img'), L('oh')), add(`(i32.shl ${L('ty')} ${i32(2)})`, i32(i))), L('ow')), add(`(i32.shl ${L('tx')} ${i32(2)})`, i32(k))), L('pix')), `(i32.shl ${L('c')} ${i32(2)})`))} ${L('i0')})))`,
            ),
          )
          .join('\n')}`,
        4,
      )}`,
    )})

  ;; A whole Winograd convolution in blocks of tb tiles, so V and M of a block stay in cache: for each block,
  ;; wino_in, wino_gemm, wino_out. v: 36*tb*cp floats, m: 36*tb*co floats, ind: rows_ind(tb, cp*4).
  (func (export "wino_conv") (param $xp i32) (param $n i32) (param $hp i32) (param $wp i32) (param $cp i32)
      (param $th i32) (param $tw i32) (param $upk i32) (param $co i32) (param $oh i32) (param $ow i32)
      (param $out i32) (param $bias i32) (param $flags i32) (param $v i32) (param $m i32) (param $ind i32)
      (param $tb i32) (param $ctx i32) (param $tmp i32)
    (local $t0 i32) (local $tiles i32) (local $cnt i32)
    (local.set $tiles ${mul(mul(L('n'), L('th')), L('tw'))})
    (block $done (loop $blocks
      (br_if $done (i32.ge_u ${L('t0')} ${L('tiles')}))
      (local.set $cnt (select ${L('tb')} (i32.sub ${L('tiles')} ${L('t0')}) (i32.lt_u ${L('tb')} (i32.sub ${L('tiles')} ${L('t0')}))))
      (call $wino_in ${L('xp')} ${L('n')} ${L('hp')} ${L('wp')} ${L('cp')} ${L('th')} ${L('tw')} ${L('v')} ${L('tmp')} ${L('t0')} ${L('cnt')})
      (call $wino_gemm ${L('ind')} ${L('v')} ${L('cnt')} ${L('cp')} ${L('upk')} ${L('co')} ${L('m')} ${L('ctx')})
      (call $wino_out ${L('m')} ${L('n')} ${L('th')} ${L('tw')} ${L('co')} ${L('oh')} ${L('ow')} ${L('out')} ${L('bias')} ${L('flags')} ${L('tmp')} ${L('t0')} ${L('cnt')})
      (local.set $t0 (i32.add ${L('t0')} ${L('cnt')}))
      (br $blocks)))
  )

  ;; Filter gradient, dy side: A dy A^T of the 4x4 tiles t0..t0+cnt-1 of dyp [n, 4th, 4tw, co] (zeros past the
  ;; output), written in packed B panels for ukt: element (xi, t, co) at u + ((xi*np + co/NR)*cnt + t)*NR*4 +
  ;; (co%NR)*4. tmp: 24 vectors.
  (func $wino_dy (export "wino_dy") (param $dyp i32) (param $n i32) (param $th i32) (param $tw i32) (param $co i32)
      (param $u i32) (param $tmp i32) (param $t0 i32) (param $cnt i32)
    (local $img i32) (local $ty i32) (local $tx i32) (local $c i32) (local $t i32) (local $q i32) (local $per i32)
    (local $src i32) (local $row i32) (local $pix i32) (local $dst i32) (local $xs i32) (local $np i32)
    ${io}
    (local.set $per ${mul(L('th'), L('tw'))})
    (local.set $pix (i32.shl ${L('co')} ${i32(2)}))
    (local.set $row ${mul(`(i32.shl ${L('tw')} ${i32(2)})`, L('pix'))})
    (local.set $np (i32.div_u ${add(L('co'), i32(NR - 1))} ${i32(NR)}))
    (local.set $xs ${mul(mul(L('np'), L('cnt')), i32(NR * 4))})
    ${loop(
      't',
      L('cnt'),
      `
      (local.set $q (i32.add ${L('t0')} ${L('t')}))
      (local.set $img (i32.div_u ${L('q')} ${L('per')}))
      (local.set $q (i32.sub ${L('q')} ${mul(L('img'), L('per'))}))
      (local.set $ty (i32.div_u ${L('q')} ${L('tw')}))
      (local.set $tx (i32.sub ${L('q')} ${mul(L('ty'), L('tw'))}))
      ${loop(
        'c',
        L('co'),
        `
        (local.set $src ${add(L('dyp'), add(mul(add(mul(L('img'), `(i32.shl ${L('th')} ${i32(2)})`), `(i32.shl ${L('ty')} ${i32(2)})`), L('row')), add(mul(`(i32.shl ${L('tx')} ${i32(2)})`, L('pix')), `(i32.shl ${L('c')} ${i32(2)})`)))})
        ${[0, 1, 2, 3]
          .map((j) =>
            apply(
              a64,
              4,
              (i) => `(v128.load (i32.add ${L('src')} ${add(mul(L('row'), i32(i)), mul(L('pix'), i32(j)))}))`,
              (r, v) => `(v128.store offset=${(r * 4 + j) * 16} ${L('tmp')} ${v})`,
            ),
          )
          .join('\n')}
        (local.set $dst ${add(L('u'), add(`(i32.shl ${add(mul(`(i32.div_u ${L('c')} ${i32(NR)})`, L('cnt')), L('t'))} ${i32(Math.log2(NR) + 2)})`, `(i32.shl (i32.rem_u ${L('c')} ${i32(NR)}) ${i32(2)})`))})
        ${[0, 1, 2, 3, 4, 5]
          .map((r) =>
            apply(
              a64,
              4,
              (j) => `(v128.load offset=${(r * 4 + j) * 16} ${L('tmp')})`,
              (col, v) => `(v128.store (i32.add ${L('dst')} ${mul(L('xs'), i32(r * 6 + col))}) ${v})`,
            ),
          )
          .join('\n')}`,
        4,
      )}`,
    )})

  ;; Filter gradient, the 36 reductions over a block's tiles: C[xi] [cp][co] += V[xi]^T [cp][cnt] . U[xi] [cnt][co],
  ;; MR input channels x NR output channels per ukt call. ctx: 4 bytes of scratch.
  (func $wino_wgemm (export "wino_wgemm") (param $v i32) (param $u i32) (param $cnt i32) (param $cp i32) (param $co i32)
      (param $c36 i32) (param $ctx i32)
    (local $xi i32) (local $p i32) (local $q i32) (local $np i32) (local $nq i32)
    (i32.store ${L('ctx')} ${i32(0)})
    (local.set $np (i32.div_u ${add(L('co'), i32(NR - 1))} ${i32(NR)}))
    (local.set $nq (i32.div_u ${add(L('cp'), i32(MR - 1))} ${i32(MR)}))
    ${loop(
      'xi',
      i32(36),
      loop(
        'p',
        L('np'),
        loop(
          'q',
          L('nq'),
          `
      (call $ukt ${add(L('v'), `(i32.shl ${add(mul(mul(L('xi'), L('cnt')), L('cp')), mul(L('q'), i32(MR)))} ${i32(2)})`)}
        ${L('ctx')} ${i32(1)} ${L('cnt')} (i32.shl ${L('cp')} ${i32(2)})
        ${add(L('u'), `(i32.shl ${mul(add(mul(L('xi'), L('np')), L('p')), L('cnt'))} ${i32(Math.log2(NR) + 2)})`)}
        ${add(L('c36'), `(i32.shl ${add(mul(add(mul(L('xi'), L('cp')), mul(L('q'), i32(MR))), L('co')), mul(L('p'), i32(NR)))} ${i32(2)})`)}
        (i32.shl ${L('co')} ${i32(2)})
        (select ${i32(MR)} (i32.sub ${L('cp')} ${mul(L('q'), i32(MR))}) (i32.lt_u ${i32(MR)} (i32.sub ${L('cp')} ${mul(L('q'), i32(MR))})))
        (select ${i32(NR)} (i32.sub ${L('co')} ${mul(L('p'), i32(NR))}) (i32.lt_u ${i32(NR)} (i32.sub ${L('co')} ${mul(L('p'), i32(NR))}))))`,
        ),
      ),
    )})

  ;; Filter gradient, output: dw [3][3][ci][co] = G^T C[.][c][co] G for input channels c < ci (co a multiple of 4).
  ;; tmp: 18 vectors.
  (func $wino_wout (export "wino_wout") (param $c36 i32) (param $cp i32) (param $ci i32) (param $co i32) (param $dw i32) (param $tmp i32)
    (local $c i32) (local $g i32) (local $src i32) (local $xs i32) (local $dst i32) (local $tap i32)
    ${io}
    (local.set $xs (i32.shl ${mul(L('cp'), L('co'))} ${i32(2)}))
    (local.set $tap (i32.shl ${mul(L('ci'), L('co'))} ${i32(2)}))
    ${loop(
      'c',
      L('ci'),
      loop(
        'g',
        L('co'),
        `
      (local.set $src ${add(L('c36'), `(i32.shl ${add(mul(L('c'), L('co')), L('g'))} ${i32(2)})`)})
      ${[0, 1, 2, 3, 4, 5]
        .map((r) =>
          apply(
            gt63,
            6,
            (j) => `(v128.load (i32.add ${L('src')} ${mul(L('xs'), i32(r * 6 + j))}))`,
            (k, v) => `(v128.store offset=${(r * 3 + k) * 16} ${L('tmp')} ${v})`,
          ),
        )
        .join('\n')}
      (local.set $dst ${add(L('dw'), `(i32.shl ${add(mul(L('c'), L('co')), L('g'))} ${i32(2)})`)})
      ${[0, 1, 2]
        .map((k) =>
          apply(
            gt63,
            6,
            (r) => `(v128.load offset=${(r * 3 + k) * 16} ${L('tmp')})`,
            (i, v) => `(v128.store (i32.add ${L('dst')} ${mul(L('tap'), i32(i * 3 + k))}) ${v})`,
          ),
        )
        .join('\n')}`,
        4,
      ),
    )})

  ;; The whole 3x3 filter gradient in blocks of tb tiles: c36 [36][cp][co] zeroed, then per block wino_in (x),
  ;; wino_dy (dy) and wino_wgemm; then wino_wout. v: 36*tb*cp floats, u: 36*tb*(co rounded up to NR).
  (func (export "wino_wgrad") (param $xp i32) (param $dyp i32) (param $n i32) (param $hp i32) (param $wp i32) (param $cp i32)
      (param $th i32) (param $tw i32) (param $ci i32) (param $co i32) (param $v i32) (param $u i32) (param $c36 i32)
      (param $tb i32) (param $dw i32) (param $ctx i32) (param $tmp i32)
    (local $t0 i32) (local $tiles i32) (local $cnt i32)
    (memory.fill ${L('c36')} ${i32(0)} (i32.shl ${mul(mul(i32(36), L('cp')), L('co'))} ${i32(2)}))
    (local.set $tiles ${mul(mul(L('n'), L('th')), L('tw'))})
    (block $done (loop $blocks
      (br_if $done (i32.ge_u ${L('t0')} ${L('tiles')}))
      (local.set $cnt (select ${L('tb')} (i32.sub ${L('tiles')} ${L('t0')}) (i32.lt_u ${L('tb')} (i32.sub ${L('tiles')} ${L('t0')}))))
      (call $wino_in ${L('xp')} ${L('n')} ${L('hp')} ${L('wp')} ${L('cp')} ${L('th')} ${L('tw')} ${L('v')} ${L('tmp')} ${L('t0')} ${L('cnt')})
      (call $wino_dy ${L('dyp')} ${L('n')} ${L('th')} ${L('tw')} ${L('co')} ${L('u')} ${L('tmp')} ${L('t0')} ${L('cnt')})
      (call $wino_wgemm ${L('v')} ${L('u')} ${L('cnt')} ${L('cp')} ${L('co')} ${L('c36')} ${L('ctx')})
      (local.set $t0 (i32.add ${L('t0')} ${L('cnt')}))
      (br $blocks)))
    (call $wino_wout ${L('c36')} ${L('cp')} ${L('ci')} ${L('co')} ${L('dw')} ${L('tmp')}))`;
}
