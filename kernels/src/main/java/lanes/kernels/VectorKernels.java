package lanes.kernels;

import lanes.kernels.Kernels.Workspace;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API arithmetic, behind the checks of {@link CheckedKernels}. Loaded by name from
 * {@link KernelsProvider} only when the {@code jdk.incubator.vector} module is present, so the scalar
 * path never touches these classes.
 *
 * <p>GEMM vectorises across output columns j: for each p, one broadcast of A[i][p] times one vector
 * of B's row p, fused into the accumulators of C. The k order per element is the scalar one, hence
 * bit-identical results (see {@link Kernels}). Register tile: 4 rows of A × 4 vectors of B = 16
 * accumulators, which leaves registers for the 4 B loads and 4 broadcasts even with 16 vector
 * registers (AVX2), and keeps 4 loads per 16 fma with 32 (AVX-512).
 *
 * <p>Two rules keep every kernel here (and in {@link VectorImages}) allocation-free however C2 compiles
 * it, including the recompile that follows a new shape reaching code the first compile left out, on a
 * profile too thin to guide it ({@code ShapeChangeAllocationTest}):
 * <ul>
 *   <li>A vector carried round a loop is an argument, never the receiver: {@code m = load(..).max(m)},
 *       {@code acc = x.fma(w, acc)}. At a loop head C2 types it as the declared FloatVector, and a call on
 *       it is devirtualized only through the receiver profile; a fresh load's exact type needs none.</li>
 *   <li>No helper method takes or returns a vector (bar trivial ones below C2's always-inline size):
 *       a call C2 declines to inline, as it does at a call site its profile calls cold, boxes them.</li>
 *   <li>Loop-carried vectors flow along one path: no block that only some turns take (the single-row
 *       loops pair an odd last step with a no-op one), and each big loop in a method of its own, so that
 *       C2's node budget is not spent on other paths first. A newly reached block on a thin profile left
 *       its intrinsics uninlined, and then every vector of the loop was boxed.</li>
 * </ul>
 */
final class VectorKernels implements Arithmetic {

    static final VectorSpecies<Float> F = VectorWidth.SPECIES;
    private static final int L = F.length();
    // Narrow outputs (10 classes) would otherwise run almost entirely in the scalar tail:
    // 128-bit strips take the columns left over after the full-width ones.
    private static final VectorSpecies<Float> T = FloatVector.SPECIES_128;
    private static final int TL = T.length();
    private static final boolean NARROW_TAIL = L > TL;

    static final VectorKernels INSTANCE = new VectorKernels();

    private VectorKernels() {}

    @Override public String name() { return "vector-" + F.vectorBitSize(); }
    @Override public int vectorBits() { return F.vectorBitSize(); }

    // ---- GEMM -------------------------------------------------------------------------------
    //
    // A is packed, BLAS style, four rows at a time into a panel: for each kept step p, its index and
    // the four values A[i..i+3][p] side by side. The dense forms keep every p; the zero-skipping forms
    // keep a p when any of the four values is non-zero (pixels of neighbouring images, or neighbouring
    // pixels of one batch, are zero together often enough). Packing also turns the strided reads of
    // Aᵀ into one pass, and lets a single register-tiled loop serve all four GEMM forms.

    // The panel lives in a Workspace: the caller's, or the calling thread's own (GEMM runs on every
    // training step, and fresh arrays would be garbage). Vector stores may run L - 1 lanes past the last
    // kept step, hence the padding of L.

    // Packing with vector compress (vcompressps) where the CPU has it: 16 pixels tested and packed in a
    // handful of instructions. Without AVX-512 the JIT has no compress instruction to use, and the
    // scalar packing below is faster than an emulated one.
    private static final boolean COMPRESS = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512
            && Boolean.parseBoolean(System.getProperty("lanes.compress", "true")); // false: for A/B measurements
    private static final VectorSpecies<Integer> I = F.withLanes(int.class);
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);
    // One byte per float lane: pixels widen to full float vectors. No byte vector is narrower than 64
    // bits, so 128-bit floats (4 lanes) convert pixels in the scalar loop.
    private static final VectorSpecies<Byte> BYTES = L >= 8 ? VectorSpecies.of(byte.class, VectorShape.forBitSize(L * Byte.SIZE)) : null;
    // Masked loads and stores are single instructions with AVX-512's mask registers; elsewhere the JIT
    // emulates them, and narrow strips plus a scalar tail are faster.
    private static final boolean MASKED_TAIL = COMPRESS;
    /** +0s for the no-op step that pairs with an odd last step in the single-row loops (see rowWide). */
    private static final float[] ZEROS = new float[8 * L];

    // A(i, p) = a[aOff + i*ars + p*acs]: one set of loops serves A and Aᵀ.
    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int ars, int acs,
              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc,
              boolean accumulate, boolean skipZeros, Workspace workspace) {
        if (n == 0) return; // C is empty: its offset may lie anywhere
        if (!accumulate) for (int i = 0; i < m; i++) java.util.Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
        if (k == 0) return;
        // Single rows are never packed: single-image prediction needs no workspace at all.
        Workspace panel = null;
        if (skipZeros && m >= 4) {
            panel = workspace != null ? workspace : Workspace.perThread();
            panel.panel(k, L);
        }
        tiles(panel, skipZeros, m, n, k, a, aOff, ars, acs, b, bOff, ldb, c, cOff, ldc);
    }

    /**
     * C[m×n] += A·B by 4-row tiles, then single rows ({@link #row}). Dense: the tiles read A where it lies
     * (A(i, p) = a[aOff + i*ars + p*acs]) and step through B's rows in order, since packing would only
     * copy. Skipping zeros: each 4-row tile of A is packed into {@code panel} (sized for k; null only when
     * there is no 4-row tile) without the steps where all four rows are zero.
     */
    private static void tiles(Workspace panel, boolean skipZeros, int m, int n, int k, float[] a, int aOff, int ars, int acs,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        int i = 0;
        if (!skipZeros || m < 4) {
            for (; i + 4 <= m; i += 4) tile4(n, k, null, a, aOff + i * ars, ars, acs, b, bOff, ldb, c, cOff + i * ldc, ldc);
            for (; i < m; i++) row(n, k, a, aOff + i * ars, acs, skipZeros, b, bOff, ldb, c, cOff + i * ldc);
            return;
        }
        int[] pos = panel.pos;
        float[] val = panel.val;
        int st = panel.stride;
        for (; i + 4 <= m; i += 4) {
            if (ars == 1 && acs >= 4) {
                // Aᵀ: the four rows are four neighbouring columns of the stored A, one 128-bit load per step
                int kept = pack4T(k, a, aOff + i, acs, pos, val);
                tile4(n, kept, pos, val, 0, 1, 4, b, bOff, ldb, c, cOff + i * ldc, ldc);
            } else {
                int kept = pack4(k, a, aOff + i * ars, ars, acs, true, pos, val, st);
                tile4(n, kept, pos, val, 0, st, 1, b, bOff, ldb, c, cOff + i * ldc, ldc);
            }
        }
        for (; i < m; i++) row(n, k, a, aOff + i * ars, acs, true, b, bOff, ldb, c, cOff + i * ldc);
    }

    /** Packs rows a0, a0+ars, a0+2ars, a0+3ars of A; returns how many steps were kept. */
    private static int pack4(int k, float[] a, int a0, int ars, int acs, boolean skipZeros, int[] pos, float[] val, int st) {
        int a1 = a0 + ars, a2 = a1 + ars, a3 = a2 + ars, kept = 0, p = 0;
        if (COMPRESS && acs == 1) {
            // Work on the bits as ints: one mask type throughout (a float-to-int mask cast is not always
            // intrinsified), and x << 1 == 0 is exactly "x is ±0", as in the scalar loop below.
            for (int bound = F.loopBound(k); p < bound; p += L) {
                IntVector v0 = FloatVector.fromArray(F, a, a0 + p).reinterpretAsInts(),
                        v1 = FloatVector.fromArray(F, a, a1 + p).reinterpretAsInts(),
                        v2 = FloatVector.fromArray(F, a, a2 + p).reinterpretAsInts(),
                        v3 = FloatVector.fromArray(F, a, a3 + p).reinterpretAsInts();
                VectorMask<Integer> keep = skipZeros
                        ? v0.or(v1).or(v2).or(v3).lanewise(VectorOperators.LSHL, 1).compare(VectorOperators.NE, 0)
                        : I.maskAll(true);
                IOTA.add(p).compress(keep).intoArray(pos, kept);
                v0.compress(keep).reinterpretAsFloats().intoArray(val, kept);
                v1.compress(keep).reinterpretAsFloats().intoArray(val, st + kept);
                v2.compress(keep).reinterpretAsFloats().intoArray(val, 2 * st + kept);
                v3.compress(keep).reinterpretAsFloats().intoArray(val, 3 * st + kept);
                kept += keep.trueCount();
            }
        }
        int keepAll = skipZeros ? 0 : 1;
        for (int ap = p * acs; p < k; p++, ap += acs) {
            float x0 = a[a0 + ap], x1 = a[a1 + ap], x2 = a[a2 + ap], x3 = a[a3 + ap];
            pos[kept] = p;
            val[kept] = x0; val[st + kept] = x1; val[2 * st + kept] = x2; val[3 * st + kept] = x3;
            // Branch-free: always write, keep only what counts. Zero or not is close to random for
            // pixels, so a branch would mispredict about every other step, and C2 compiles float
            // compares into branches: test the bits instead (x << 1 drops the sign of -0).
            int any = (Float.floatToRawIntBits(x0) | Float.floatToRawIntBits(x1)
                    | Float.floatToRawIntBits(x2) | Float.floatToRawIntBits(x3)) << 1 | keepAll;
            kept += (any | -any) >>> 31;
        }
        return kept;
    }

    /**
     * Packs four rows of Aᵀ, where A is stored [k×m] and its rows are lda apart: the four values of step
     * p are neighbours in memory, a[a0 + p*lda .. +3], so one 128-bit load and store moves them, side by
     * side, to val[4*kept ..] (the layout tile4 reads with st = 1, vcs = 4). A step is kept when any of
     * the four is non-zero, tested on the bits as in pack4. Returns how many steps were kept.
     */
    private static int pack4T(int k, float[] a, int a0, int lda, int[] pos, float[] val) {
        int kept = 0;
        for (int p = 0, ap = a0; p < k; p++, ap += lda) {
            IntVector v = FloatVector.fromArray(T, a, ap).reinterpretAsInts();
            v.reinterpretAsFloats().intoArray(val, 4 * kept);
            pos[kept] = p;
            kept += v.lanewise(VectorOperators.LSHL, 1).compare(VectorOperators.NE, 0).anyTrue() ? 1 : 0;
        }
        return kept;
    }

    // The narrow tails of the tiles are methods of their own. C2 inlines the Vector API calls of a
    // method only within a budget; in one large method the later loops (the 10-column output layer's)
    // fell outside it and ran the API's non-intrinsic Java fallback, ten times slower. The full-width
    // strips stay in the tile methods: split out as well, the 4x4 strip ran ~5% slower.

    /**
     * C[4×n] += Σ_q A(0..3, q) · B[row(q)][..], A(r, q) = val[va + r*st + q*vcs]: four rows of C, 4 × 4
     * vectors of accumulators
     * (16 registers, which leaves room for the B loads and broadcasts on AVX2's 16 as well as AVX-512's
     * 32), 4 loads and 4 broadcasts per 16 fma.
     */
    private static void tile4(int n, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff, int ldb,
                              float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        int j = 0;
        for (; j + 4 * L <= n; j += 4 * L) {
            FloatVector c00 = FloatVector.fromArray(F, c, c0 + j), c01 = FloatVector.fromArray(F, c, c0 + j + L),
                    c02 = FloatVector.fromArray(F, c, c0 + j + 2 * L), c03 = FloatVector.fromArray(F, c, c0 + j + 3 * L);
            FloatVector c10 = FloatVector.fromArray(F, c, c1 + j), c11 = FloatVector.fromArray(F, c, c1 + j + L),
                    c12 = FloatVector.fromArray(F, c, c1 + j + 2 * L), c13 = FloatVector.fromArray(F, c, c1 + j + 3 * L);
            FloatVector c20 = FloatVector.fromArray(F, c, c2 + j), c21 = FloatVector.fromArray(F, c, c2 + j + L),
                    c22 = FloatVector.fromArray(F, c, c2 + j + 2 * L), c23 = FloatVector.fromArray(F, c, c2 + j + 3 * L);
            FloatVector c30 = FloatVector.fromArray(F, c, c3 + j), c31 = FloatVector.fromArray(F, c, c3 + j + L),
                    c32 = FloatVector.fromArray(F, c, c3 + j + 2 * L), c33 = FloatVector.fromArray(F, c, c3 + j + 3 * L);
            for (int q = 0; q < kept; q++) {
                int bp = bOff + row(pos, q) * ldb + j, vq = va + q * vcs;
                FloatVector b0 = FloatVector.fromArray(F, b, bp), b1 = FloatVector.fromArray(F, b, bp + L),
                        b2 = FloatVector.fromArray(F, b, bp + 2 * L), b3 = FloatVector.fromArray(F, b, bp + 3 * L);
                FloatVector x = FloatVector.broadcast(F, val[vq]);
                c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
                x = FloatVector.broadcast(F, val[vq + st]);
                c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(F, val[vq + 2 * st]);
                c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(F, val[vq + 3 * st]);
                c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            }
            c00.intoArray(c, c0 + j); c01.intoArray(c, c0 + j + L); c02.intoArray(c, c0 + j + 2 * L); c03.intoArray(c, c0 + j + 3 * L);
            c10.intoArray(c, c1 + j); c11.intoArray(c, c1 + j + L); c12.intoArray(c, c1 + j + 2 * L); c13.intoArray(c, c1 + j + 3 * L);
            c20.intoArray(c, c2 + j); c21.intoArray(c, c2 + j + L); c22.intoArray(c, c2 + j + 2 * L); c23.intoArray(c, c2 + j + 3 * L);
            c30.intoArray(c, c3 + j); c31.intoArray(c, c3 + j + L); c32.intoArray(c, c3 + j + 2 * L); c33.intoArray(c, c3 + j + 3 * L);
        }
        if (j + 2 * L <= n) {
            tile4Strip2(j, kept, pos, val, va, st, vcs, b, bOff, ldb, c, c0, ldc);
            j += 2 * L;
        }
        for (; j + L <= n; j += L) tile4Strip(j, kept, pos, val, va, st, vcs, b, bOff, ldb, c, c0, ldc);
        if (j == n) return;
        if (MASKED_TAIL) {
            // One masked vector for the last columns: a 10-class output is one chain of fma per row
            // instead of narrow strips and a scalar loop over the same steps.
            tile4Masked(j, n, kept, pos, val, va, st, vcs, b, bOff, ldb, c, c0, ldc);
            return;
        }
        for (; NARROW_TAIL && j + TL <= n; j += TL) tile4Narrow(j, kept, pos, val, va, st, vcs, b, bOff, ldb, c, c0, ldc);
        if (j < n) tile4Scalar(j, n, kept, pos, val, va, st, vcs, b, bOff, ldb, c, c0, ldc);
    }

    /**
     * One full-width vector of columns of the 4-row tile. A method of its own: as the first loop after the
     * 4-vector strips of tile4 it fell outside C2's inlining budget and ran the Vector API's Java fallback,
     * ten times slower (2.3 GMAC/s against 24 for a 2048×32×400 GEMM), which is every column of the
     * 16- and 32-filter convolutions' GEMMs.
     */
    private static void tile4Strip(int j, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff, int ldb,
                                   float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector v0 = FloatVector.fromArray(F, c, c0 + j), v1 = FloatVector.fromArray(F, c, c1 + j),
                v2 = FloatVector.fromArray(F, c, c2 + j), v3 = FloatVector.fromArray(F, c, c3 + j);
        for (int q = 0; q < kept; q++) {
            FloatVector bv = FloatVector.fromArray(F, b, bOff + row(pos, q) * ldb + j);
            int vq = va + q * vcs;
            v0 = FloatVector.broadcast(F, val[vq]).fma(bv, v0);
            v1 = FloatVector.broadcast(F, val[vq + st]).fma(bv, v1);
            v2 = FloatVector.broadcast(F, val[vq + 2 * st]).fma(bv, v2);
            v3 = FloatVector.broadcast(F, val[vq + 3 * st]).fma(bv, v3);
        }
        v0.intoArray(c, c0 + j); v1.intoArray(c, c1 + j); v2.intoArray(c, c2 + j); v3.intoArray(c, c3 + j);
    }

    /**
     * Two full-width vectors of columns of the 4-row tile, 8 accumulators: with one vector's 4, each step
     * waits on the fma latency, and a 32-column GEMM (the 32-filter convolution's) ran at half the speed
     * of a 64-column one.
     */
    private static void tile4Strip2(int j, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff,
                                    int ldb, float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector v00 = FloatVector.fromArray(F, c, c0 + j), v01 = FloatVector.fromArray(F, c, c0 + j + L),
                v10 = FloatVector.fromArray(F, c, c1 + j), v11 = FloatVector.fromArray(F, c, c1 + j + L),
                v20 = FloatVector.fromArray(F, c, c2 + j), v21 = FloatVector.fromArray(F, c, c2 + j + L),
                v30 = FloatVector.fromArray(F, c, c3 + j), v31 = FloatVector.fromArray(F, c, c3 + j + L);
        for (int q = 0; q < kept; q++) {
            int bp = bOff + row(pos, q) * ldb + j, vq = va + q * vcs;
            FloatVector b0 = FloatVector.fromArray(F, b, bp), b1 = FloatVector.fromArray(F, b, bp + L);
            FloatVector x = FloatVector.broadcast(F, val[vq]);
            v00 = x.fma(b0, v00); v01 = x.fma(b1, v01);
            x = FloatVector.broadcast(F, val[vq + st]);
            v10 = x.fma(b0, v10); v11 = x.fma(b1, v11);
            x = FloatVector.broadcast(F, val[vq + 2 * st]);
            v20 = x.fma(b0, v20); v21 = x.fma(b1, v21);
            x = FloatVector.broadcast(F, val[vq + 3 * st]);
            v30 = x.fma(b0, v30); v31 = x.fma(b1, v31);
        }
        v00.intoArray(c, c0 + j); v01.intoArray(c, c0 + j + L);
        v10.intoArray(c, c1 + j); v11.intoArray(c, c1 + j + L);
        v20.intoArray(c, c2 + j); v21.intoArray(c, c2 + j + L);
        v30.intoArray(c, c3 + j); v31.intoArray(c, c3 + j + L);
    }

    private static void tile4Masked(int j, int n, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff,
                                    int ldb, float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        VectorMask<Float> live = F.indexInRange(j, n);
        FloatVector v0 = FloatVector.fromArray(F, c, c0 + j, live), v1 = FloatVector.fromArray(F, c, c1 + j, live),
                v2 = FloatVector.fromArray(F, c, c2 + j, live), v3 = FloatVector.fromArray(F, c, c3 + j, live);
        for (int q = 0; q < kept; q++) {
            FloatVector bv = FloatVector.fromArray(F, b, bOff + row(pos, q) * ldb + j, live);
            int vq = va + q * vcs;
            v0 = FloatVector.broadcast(F, val[vq]).fma(bv, v0);
            v1 = FloatVector.broadcast(F, val[vq + st]).fma(bv, v1);
            v2 = FloatVector.broadcast(F, val[vq + 2 * st]).fma(bv, v2);
            v3 = FloatVector.broadcast(F, val[vq + 3 * st]).fma(bv, v3);
        }
        v0.intoArray(c, c0 + j, live); v1.intoArray(c, c1 + j, live); v2.intoArray(c, c2 + j, live); v3.intoArray(c, c3 + j, live);
    }

    private static void tile4Narrow(int j, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff, int ldb,
                                    float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        FloatVector v0 = FloatVector.fromArray(T, c, c0 + j), v1 = FloatVector.fromArray(T, c, c1 + j),
                v2 = FloatVector.fromArray(T, c, c2 + j), v3 = FloatVector.fromArray(T, c, c3 + j);
        for (int q = 0; q < kept; q++) {
            FloatVector bv = FloatVector.fromArray(T, b, bOff + row(pos, q) * ldb + j);
            int vq = va + q * vcs;
            v0 = FloatVector.broadcast(T, val[vq]).fma(bv, v0);
            v1 = FloatVector.broadcast(T, val[vq + st]).fma(bv, v1);
            v2 = FloatVector.broadcast(T, val[vq + 2 * st]).fma(bv, v2);
            v3 = FloatVector.broadcast(T, val[vq + 3 * st]).fma(bv, v3);
        }
        v0.intoArray(c, c0 + j); v1.intoArray(c, c1 + j); v2.intoArray(c, c2 + j); v3.intoArray(c, c3 + j);
    }

    private static void tile4Scalar(int j, int n, int kept, int[] pos, float[] val, int va, int st, int vcs, float[] b, int bOff,
                                    int ldb, float[] c, int c0, int ldc) {
        int c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc;
        for (; j < n; j++) {
            float s0 = c[c0 + j], s1 = c[c1 + j], s2 = c[c2 + j], s3 = c[c3 + j];
            for (int q = 0; q < kept; q++) {
                float bv = b[bOff + row(pos, q) * ldb + j];
                int vq = va + q * vcs;
                s0 = Math.fma(val[vq], bv, s0);
                s1 = Math.fma(val[vq + st], bv, s1);
                s2 = Math.fma(val[vq + 2 * st], bv, s2);
                s3 = Math.fma(val[vq + 3 * st], bv, s3);
            }
            c[c0 + j] = s0; c[c1 + j] = s1; c[c2 + j] = s2; c[c3 + j] = s3;
        }
    }

    // ---- one row of A ------------------------------------------------------------------------
    //
    // A single row (single-image prediction: 784 pixels, ~150 of them non-zero; then ~64 of 128 hidden
    // units) is not packed. Its steps are taken 64 at a time as the set bits of one long, lowest first, so
    // the k order is the scalar one: no scratch to look up or allocate per call, no pass that copies A, and
    // no branch per step (the only unpredictable branch is the end of each 64-step block).

    /** The steps p0 .. p0+63 below k to take, as bits: all of them, or those where A(p) = a[ap + (p-p0)*acs] is not ±0. */
    private static long steps(int k, int p0, float[] a, int ap, int acs, boolean skipZeros) {
        int count = Math.min(64, k - p0);
        if (!skipZeros) return count == 64 ? -1L : (1L << count) - 1;
        long bits = 0;
        int t = 0;
        if (acs == 1) {
            for (; t + L <= count; t += L) bits |= FloatVector.fromArray(F, a, ap + t).compare(VectorOperators.NE, 0f).toLong() << t;
        }
        for (; t < count; t++) {
            int x = Float.floatToRawIntBits(a[ap + t * acs]) << 1; // ±0 → 0, as the float compare above
            bits |= (long) ((x | -x) >>> 31) << t;
        }
        return bits;
    }

    /**
     * C[1×n] += Σ A(p) · B[p][..] over one row of A, A(p) = a[a0 + p*acs], steps with A(p) = ±0 skipped when
     * asked. The 8-vector strip keeps a 128-unit row in registers at 512 bits across every block.
     */
    /** Columns j .. j+8L−1 of {@link #row}: 8 accumulator vectors across every block of k. */
    private static void rowWide(int j, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff, int ldb,
                                float[] c, int c0) {
        int cj = c0 + j;
        FloatVector v0 = FloatVector.fromArray(F, c, cj), v1 = FloatVector.fromArray(F, c, cj + L),
                v2 = FloatVector.fromArray(F, c, cj + 2 * L), v3 = FloatVector.fromArray(F, c, cj + 3 * L),
                v4 = FloatVector.fromArray(F, c, cj + 4 * L), v5 = FloatVector.fromArray(F, c, cj + 5 * L),
                v6 = FloatVector.fromArray(F, c, cj + 6 * L), v7 = FloatVector.fromArray(F, c, cj + 7 * L);
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
            long bits = steps(k, p0, a, ap, acs, skipZeros);
            int left = Long.bitCount(bits);
            // Two steps per turn, the first step's fma before the second's on every accumulator:
            // the k order holds, and the loop's own work is paid once per two rows of B. An odd last
            // step pairs with a no-op one, fma(−0, +0, v) = v bit for bit, rather than taking a block of
            // its own: the accumulators then flow along one path, and C2 keeps them in registers even
            // when a recompile has no profile to go on (a separate odd-step block, newly reached, left
            // its fma intrinsics uninlined: every vector of the row boxed, on every call).
            for (; left > 0; left -= 2) {
                int s = Long.numberOfTrailingZeros(bits), br = bp + s * ldb;
                bits &= bits - 1;
                float[] b2 = ZEROS;
                int bt = 0;
                float second = -0f;
                if (left >= 2) {
                    int t = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    b2 = b;
                    bt = bp + t * ldb;
                    second = a[ap + t * acs];
                }
                FloatVector x = FloatVector.broadcast(F, a[ap + s * acs]), y = FloatVector.broadcast(F, second);
                v0 = y.fma(FloatVector.fromArray(F, b2, bt), x.fma(FloatVector.fromArray(F, b, br), v0));
                v1 = y.fma(FloatVector.fromArray(F, b2, bt + L), x.fma(FloatVector.fromArray(F, b, br + L), v1));
                v2 = y.fma(FloatVector.fromArray(F, b2, bt + 2 * L), x.fma(FloatVector.fromArray(F, b, br + 2 * L), v2));
                v3 = y.fma(FloatVector.fromArray(F, b2, bt + 3 * L), x.fma(FloatVector.fromArray(F, b, br + 3 * L), v3));
                v4 = y.fma(FloatVector.fromArray(F, b2, bt + 4 * L), x.fma(FloatVector.fromArray(F, b, br + 4 * L), v4));
                v5 = y.fma(FloatVector.fromArray(F, b2, bt + 5 * L), x.fma(FloatVector.fromArray(F, b, br + 5 * L), v5));
                v6 = y.fma(FloatVector.fromArray(F, b2, bt + 6 * L), x.fma(FloatVector.fromArray(F, b, br + 6 * L), v6));
                v7 = y.fma(FloatVector.fromArray(F, b2, bt + 7 * L), x.fma(FloatVector.fromArray(F, b, br + 7 * L), v7));
            }
        }
        v0.intoArray(c, cj); v1.intoArray(c, cj + L); v2.intoArray(c, cj + 2 * L); v3.intoArray(c, cj + 3 * L);
        v4.intoArray(c, cj + 4 * L); v5.intoArray(c, cj + 5 * L); v6.intoArray(c, cj + 6 * L); v7.intoArray(c, cj + 7 * L);
    }

    private static void row(int n, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff, int ldb,
                            float[] c, int c0) {
        int j = 0;
        // The 8-vector strips in a method of their own: C2 never inlines it here (too big), so its vector
        // code is compiled on a budget of its own. Compiled together with the narrow tails below, the
        // whole reached C2's node limits once enough shapes had run, and the intrinsics it then left
        // uninlined boxed every vector of the main loop (megabytes per call, for good).
        for (; j + 8 * L <= n; j += 8 * L) rowWide(j, k, a, a0, acs, skipZeros, b, bOff, ldb, c, c0);
        if (MASKED_TAIL && n - j > 2 * L) {
            rowWideMasked(j, n, k, a, a0, acs, skipZeros, b, bOff, ldb, c, c0);
            return;
        }
        for (; j + L <= n; j += L) rowStrip(j, k, a, a0, acs, skipZeros, b, bOff, ldb, c, c0);
        if (j == n) return;
        if (MASKED_TAIL) {
            rowMasked(j, n, k, a, a0, acs, skipZeros, b, bOff, ldb, c, c0);
            return;
        }
        for (; NARROW_TAIL && j + TL <= n; j += TL) rowNarrow(j, k, a, a0, acs, skipZeros, b, bOff, ldb, c, c0);
        for (; j < n; j++) {
            float acc = c[c0 + j];
            for (int p0 = 0; p0 < k; p0 += 64) {
                int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
                long bits = steps(k, p0, a, ap, acs, skipZeros);
                for (int left = Long.bitCount(bits); left > 0; left--, bits &= bits - 1) {
                    int s = Long.numberOfTrailingZeros(bits);
                    acc = Math.fma(a[ap + s * acs], b[bp + s * ldb], acc);
                }
            }
            c[c0 + j] = acc;
        }
    }

    /**
     * {@link #rowWide} for the last 2L+1 .. 8L−1 columns (LeNet's 120 and 84 units): one pass over the
     * steps with 8 independent chains, where a strip at a time made one pass per vector, each a single
     * chain waiting on the fma latency (LeNet-5's 400 → 120 layer, one image: 3.1 µs as 7 strips and a
     * masked tail, 1.6 µs here). Only the part-vector is masked: masking all eight loads cost half again
     * as much (2.0 against 1.4 µs for 400 → 120 at half zeros). Every column sees rowWide's steps, hence
     * its bits. rowWide's loop is written out again rather than shared: rowWide, the fast MLP's path,
     * stays free of masks and offsets, and no helper may take or return the vectors (the rules above).
     */
    private static void rowWideMasked(int j, int n, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff,
                                      int ldb, float[] c, int c0) {
        int cj = c0 + j, full = (n - j) / L;
        // v0 .. v(full-1): whole vectors at their columns; v7: the part-vector after them, masked; the
        // vectors between, if any, repeat columns j .. j+L−1 unmasked and are never stored
        int o1 = full > 1 ? L : 0, o2 = full > 2 ? 2 * L : 0, o3 = full > 3 ? 3 * L : 0, o4 = full > 4 ? 4 * L : 0,
                o5 = full > 5 ? 5 * L : 0, o6 = full > 6 ? 6 * L : 0, o7 = full * L;
        VectorMask<Float> m7 = F.indexInRange(j + o7, n);
        FloatVector v0 = FloatVector.fromArray(F, c, cj), v1 = FloatVector.fromArray(F, c, cj + o1),
                v2 = FloatVector.fromArray(F, c, cj + o2), v3 = FloatVector.fromArray(F, c, cj + o3),
                v4 = FloatVector.fromArray(F, c, cj + o4), v5 = FloatVector.fromArray(F, c, cj + o5),
                v6 = FloatVector.fromArray(F, c, cj + o6), v7 = FloatVector.fromArray(F, c, cj + o7, m7);
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
            long bits = steps(k, p0, a, ap, acs, skipZeros);
            for (int left = Long.bitCount(bits); left > 0; left -= 2) { // as in rowWide
                int s = Long.numberOfTrailingZeros(bits), br = bp + s * ldb;
                bits &= bits - 1;
                float[] b2 = ZEROS;
                int bt = 0;
                float second = -0f;
                if (left >= 2) {
                    int t = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    b2 = b;
                    bt = bp + t * ldb;
                    second = a[ap + t * acs];
                }
                FloatVector x = FloatVector.broadcast(F, a[ap + s * acs]), y = FloatVector.broadcast(F, second);
                v0 = y.fma(FloatVector.fromArray(F, b2, bt), x.fma(FloatVector.fromArray(F, b, br), v0));
                v1 = y.fma(FloatVector.fromArray(F, b2, bt + o1), x.fma(FloatVector.fromArray(F, b, br + o1), v1));
                v2 = y.fma(FloatVector.fromArray(F, b2, bt + o2), x.fma(FloatVector.fromArray(F, b, br + o2), v2));
                v3 = y.fma(FloatVector.fromArray(F, b2, bt + o3), x.fma(FloatVector.fromArray(F, b, br + o3), v3));
                v4 = y.fma(FloatVector.fromArray(F, b2, bt + o4), x.fma(FloatVector.fromArray(F, b, br + o4), v4));
                v5 = y.fma(FloatVector.fromArray(F, b2, bt + o5), x.fma(FloatVector.fromArray(F, b, br + o5), v5));
                v6 = y.fma(FloatVector.fromArray(F, b2, bt + o6), x.fma(FloatVector.fromArray(F, b, br + o6), v6));
                v7 = y.fma(FloatVector.fromArray(F, b2, bt + o7, m7), x.fma(FloatVector.fromArray(F, b, br + o7, m7), v7));
            }
        }
        // the repeats store what was loaded there, plus the same steps: the same bits as v0, stored first
        v6.intoArray(c, cj + o6); v5.intoArray(c, cj + o5); v4.intoArray(c, cj + o4); v3.intoArray(c, cj + o3);
        v2.intoArray(c, cj + o2); v1.intoArray(c, cj + o1); v0.intoArray(c, cj); v7.intoArray(c, cj + o7, m7);
    }

    private static void rowStrip(int j, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff, int ldb,
                                 float[] c, int c0) {
        FloatVector v = FloatVector.fromArray(F, c, c0 + j);
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
            long bits = steps(k, p0, a, ap, acs, skipZeros);
            for (int left = Long.bitCount(bits); left > 0; left--, bits &= bits - 1) {
                int s = Long.numberOfTrailingZeros(bits);
                v = FloatVector.broadcast(F, a[ap + s * acs]).fma(FloatVector.fromArray(F, b, bp + s * ldb), v);
            }
        }
        v.intoArray(c, c0 + j);
    }

    private static void rowMasked(int j, int n, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff,
                                  int ldb, float[] c, int c0) {
        // One masked vector for the last columns: a 10-class output is one chain of fma.
        VectorMask<Float> live = F.indexInRange(j, n);
        FloatVector v = FloatVector.fromArray(F, c, c0 + j, live);
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
            long bits = steps(k, p0, a, ap, acs, skipZeros);
            for (int left = Long.bitCount(bits); left > 0; left -= 2) { // two steps per turn, in order, as in rowWide
                int s = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                float[] b2 = ZEROS;
                int bt = 0;
                float second = -0f;
                if (left >= 2) {
                    int t = Long.numberOfTrailingZeros(bits);
                    bits &= bits - 1;
                    b2 = b;
                    bt = bp + t * ldb;
                    second = a[ap + t * acs];
                }
                v = FloatVector.broadcast(F, a[ap + s * acs]).fma(FloatVector.fromArray(F, b, bp + s * ldb, live), v);
                v = FloatVector.broadcast(F, second).fma(FloatVector.fromArray(F, b2, bt, live), v);
            }
        }
        v.intoArray(c, c0 + j, live);
    }

    private static void rowNarrow(int j, int k, float[] a, int a0, int acs, boolean skipZeros, float[] b, int bOff, int ldb,
                                  float[] c, int c0) {
        FloatVector v = FloatVector.fromArray(T, c, c0 + j);
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = a0 + p0 * acs, bp = bOff + p0 * ldb + j;
            long bits = steps(k, p0, a, ap, acs, skipZeros);
            for (int left = Long.bitCount(bits); left > 0; left--, bits &= bits - 1) {
                int s = Long.numberOfTrailingZeros(bits);
                v = FloatVector.broadcast(T, a[ap + s * acs]).fma(FloatVector.fromArray(T, b, bp + s * ldb), v);
            }
        }
        v.intoArray(c, c0 + j);
    }

    // ---- one row of A times a bf16 kernel ---------------------------------------------------------
    //
    // As rowWide, over half the bytes: each int vector of B's row holds 2L weights (Bf16's layout), widened
    // by a shift (low halves) and a mask (high halves), both exact. Steps one set bit at a time, lowest
    // first: the scalar order, and one path for the accumulators.

    @Override
    public void gemmBf16Row(int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        int s = Bf16.rowInts(n), i0 = 0;
        // A pass of 4 int vectors covers columns 2·i0 .. 2·(i0 + 4L) − 1 (whole groups of 32, as 4L ≥ 16)
        for (; 2 * (i0 + 4 * L) <= n; i0 += 4 * L) bf16Wide(i0, s, k, a, aOff, b, c, cOff);
        for (; i0 < s; i0 += L) bf16One(i0, s, n, k, a, aOff, b, c, cOff);
    }

    /** Columns of the ints i0 .. i0+4L−1 of every row (all below n): 8 accumulators over every step. */
    private static void bf16Wide(int i0, int s, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        FloatVector v0 = FloatVector.zero(F), v1 = v0, v2 = v0, v3 = v0, v4 = v0, v5 = v0, v6 = v0, v7 = v0;
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = aOff + p0, bp = p0 * s + i0;
            for (long bits = steps(k, p0, a, ap, 1, true); bits != 0; bits &= bits - 1) {
                int t = Long.numberOfTrailingZeros(bits), br = bp + t * s;
                FloatVector x = FloatVector.broadcast(F, a[ap + t]);
                IntVector w0 = IntVector.fromArray(I, b, br), w1 = IntVector.fromArray(I, b, br + L),
                        w2 = IntVector.fromArray(I, b, br + 2 * L), w3 = IntVector.fromArray(I, b, br + 3 * L);
                v0 = x.fma(w0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), v0);
                v1 = x.fma(w1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), v1);
                v2 = x.fma(w2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), v2);
                v3 = x.fma(w3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), v3);
                v4 = x.fma(w0.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), v4);
                v5 = x.fma(w1.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), v5);
                v6 = x.fma(w2.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), v6);
                v7 = x.fma(w3.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), v7);
            }
        }
        int c0 = cOff + Bf16.lowColumn(i0), c1 = cOff + Bf16.lowColumn(i0 + L),
                c2 = cOff + Bf16.lowColumn(i0 + 2 * L), c3 = cOff + Bf16.lowColumn(i0 + 3 * L);
        v0.intoArray(c, c0); v1.intoArray(c, c1); v2.intoArray(c, c2); v3.intoArray(c, c3);
        v4.intoArray(c, c0 + 16); v5.intoArray(c, c1 + 16); v6.intoArray(c, c2 + 16); v7.intoArray(c, c3 + 16);
    }

    /** Columns of the ints i0 .. i0+L−1 of every row, those at n and beyond masked off. */
    private static void bf16One(int i0, int s, int n, int k, float[] a, int aOff, int[] b, float[] c, int cOff) {
        FloatVector lo = FloatVector.zero(F), hi = lo;
        for (int p0 = 0; p0 < k; p0 += 64) {
            int ap = aOff + p0, bp = p0 * s + i0;
            for (long bits = steps(k, p0, a, ap, 1, true); bits != 0; bits &= bits - 1) {
                int t = Long.numberOfTrailingZeros(bits);
                FloatVector x = FloatVector.broadcast(F, a[ap + t]);
                IntVector w = IntVector.fromArray(I, b, bp + t * s);
                lo = x.fma(w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats(), lo);
                hi = x.fma(w.lanewise(VectorOperators.AND, 0xFFFF0000).reinterpretAsFloats(), hi);
            }
        }
        int j = Bf16.lowColumn(i0);
        lo.intoArray(c, cOff + j, F.indexInRange(j, n));
        hi.intoArray(c, cOff + j + 16, F.indexInRange(j + 16, n));
    }

    // ---- rows of a sparse A, one at a time --------------------------------------------------------
    //
    // Each row of A is packed on its own (the index and value of every non-zero), then C's row is summed
    // strip by strip over those steps only, in increasing p: the scalar gemm's order and its skipped steps.

    @Override
    public void gemmByRow(int m, int n, int k, float[] a, int aOff, int ars, int acs,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        if (n == 0) return; // C is empty: its offset may lie anywhere
        Workspace panel = Workspace.perThread();
        panel.panel(k, L);
        int[] pos = panel.pos;
        float[] val = panel.val;
        for (int i = 0; i < m; i++) {
            int kept = packRow(k, a, aOff + i * ars, acs, pos, val);
            // Without accumulate, the strips start from +0 rather than from a C cleared beforehand: C is
            // written once, not cleared, read back and written again.
            if (kept > 0 || !accumulate) sparseRow(n, kept, pos, val, b, bOff, ldb, c, cOff + i * ldc, accumulate);
        }
    }

    /** The non-zero steps of A(p) = a[a0 + p*acs] into pos and val, branch-free as pack4; returns their count. */
    private static int packRow(int k, float[] a, int a0, int acs, int[] pos, float[] val) {
        int kept = 0;
        for (int p = 0, ap = a0; p < k; p++, ap += acs) {
            float x = a[ap];
            pos[kept] = p;
            val[kept] = x;
            int bits = Float.floatToRawIntBits(x) << 1; // ±0 → 0
            kept += (bits | -bits) >>> 31;
        }
        return kept;
    }

    /** C[1×n] += Σ_q val[q] · B[pos[q]][..]: strips of 8 vectors held in registers over every step, then the tail. */
    private static void sparseRow(int n, int kept, int[] pos, float[] val, float[] b, int bOff, int ldb, float[] c, int c0,
                                  boolean accumulate) {
        int j = 0;
        for (; j + 8 * L <= n; j += 8 * L) sparseStrip8(j, kept, pos, val, b, bOff, ldb, c, c0, accumulate);
        for (; j + L <= n; j += L) sparseStrip(j, kept, pos, val, b, bOff, ldb, c, c0, accumulate);
        if (j == n) return;
        if (MASKED_TAIL) {
            sparseMasked(j, n, kept, pos, val, b, bOff, ldb, c, c0, accumulate);
            return;
        }
        for (; j < n; j++) {
            float acc = accumulate ? c[c0 + j] : 0f;
            for (int q = 0; q < kept; q++) acc = Math.fma(val[q], b[bOff + pos[q] * ldb + j], acc);
            c[c0 + j] = acc;
        }
    }

    private static void sparseStrip8(int j, int kept, int[] pos, float[] val, float[] b, int bOff, int ldb, float[] c, int c0,
                                     boolean accumulate) {
        int cj = c0 + j;
        FloatVector v0 = start(accumulate, c, cj), v1 = start(accumulate, c, cj + L),
                v2 = start(accumulate, c, cj + 2 * L), v3 = start(accumulate, c, cj + 3 * L),
                v4 = start(accumulate, c, cj + 4 * L), v5 = start(accumulate, c, cj + 5 * L),
                v6 = start(accumulate, c, cj + 6 * L), v7 = start(accumulate, c, cj + 7 * L);
        for (int q = 0; q < kept; q++) {
            int br = bOff + pos[q] * ldb + j;
            FloatVector x = FloatVector.broadcast(F, val[q]);
            v0 = x.fma(FloatVector.fromArray(F, b, br), v0);
            v1 = x.fma(FloatVector.fromArray(F, b, br + L), v1);
            v2 = x.fma(FloatVector.fromArray(F, b, br + 2 * L), v2);
            v3 = x.fma(FloatVector.fromArray(F, b, br + 3 * L), v3);
            v4 = x.fma(FloatVector.fromArray(F, b, br + 4 * L), v4);
            v5 = x.fma(FloatVector.fromArray(F, b, br + 5 * L), v5);
            v6 = x.fma(FloatVector.fromArray(F, b, br + 6 * L), v6);
            v7 = x.fma(FloatVector.fromArray(F, b, br + 7 * L), v7);
        }
        v0.intoArray(c, cj); v1.intoArray(c, cj + L); v2.intoArray(c, cj + 2 * L); v3.intoArray(c, cj + 3 * L);
        v4.intoArray(c, cj + 4 * L); v5.intoArray(c, cj + 5 * L); v6.intoArray(c, cj + 6 * L); v7.intoArray(c, cj + 7 * L);
    }

    /** A strip's accumulator: C's values, or +0 where C is not accumulated into. */
    private static FloatVector start(boolean accumulate, float[] c, int at) {
        return accumulate ? FloatVector.fromArray(F, c, at) : FloatVector.zero(F);
    }

    private static void sparseStrip(int j, int kept, int[] pos, float[] val, float[] b, int bOff, int ldb, float[] c, int c0,
                                    boolean accumulate) {
        FloatVector v = start(accumulate, c, c0 + j);
        for (int q = 0; q < kept; q++) v = FloatVector.broadcast(F, val[q]).fma(FloatVector.fromArray(F, b, bOff + pos[q] * ldb + j), v);
        v.intoArray(c, c0 + j);
    }

    private static void sparseMasked(int j, int n, int kept, int[] pos, float[] val, float[] b, int bOff, int ldb, float[] c, int c0,
                                     boolean accumulate) {
        VectorMask<Float> live = F.indexInRange(j, n);
        FloatVector v = accumulate ? FloatVector.fromArray(F, c, c0 + j, live) : FloatVector.zero(F);
        for (int q = 0; q < kept; q++) {
            v = FloatVector.broadcast(F, val[q]).fma(FloatVector.fromArray(F, b, bOff + pos[q] * ldb + j, live), v);
        }
        v.intoArray(c, c0 + j, live);
    }

    /** The row of B for kept step q: pos[q] when A was packed, q itself for dense A (C2 unswitches the loops on it). */
    private static int row(int[] pos, int q) {
        return pos == null ? q : pos[q];
    }

    @Override
    public void matmulTransAAdam(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 boolean skipZeros, float[] param, int pOff, int ldp, float[] mom, float[] vel,
                                 float lr, float beta1, float beta2, float epsilon, long step) {
        if (m == 0 || n == 0) return;
        float alpha = Checks.adamAlpha(lr, beta1, beta2, step), omb1 = 1f - beta1, omb2 = 1f - beta2;
        Workspace panel = Workspace.perThread();
        panel.panel(k, L);
        // Four rows of G at a time, into a scratch tile that stays in L1 while Adam reads it back;
        // row i of G is column i of the stored A times B.
        float[] g = panel.tile(4 * n);
        for (int i = 0; i < m; i += 4) {
            int rows = Math.min(4, m - i);
            java.util.Arrays.fill(g, 0, rows * n, 0f);
            tiles(panel, skipZeros, rows, n, k, a, aOff + i, 1, lda, b, bOff, ldb, g, 0, n);
            for (int r = 0; r < rows; r++) {
                int pi = pOff + (i + r) * ldp;
                adamSteps(n, param, pi, g, r * n, mom, pi, vel, pi, alpha, omb1, omb2, epsilon);
            }
        }
    }

    @Override
    public void unitBytes(int n, byte[] src, int srcOff, float[] dst, int dstOff) {
        int bound = BYTES == null ? 0 : F.loopBound(n), i = 0;
        // L bytes widen to L ints (masked to their unsigned value), then to floats, divided by 255:
        // a correctly rounded division, which is the value every byte gets from the scalar path.
        for (; i < bound; i += L) {
            ByteVector.fromArray(BYTES, src, srcOff + i)
                    .convertShape(VectorOperators.B2I, I, 0).reinterpretAsInts().and(0xFF)
                    .convert(VectorOperators.I2F, 0).reinterpretAsFloats()
                    .div(255f).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) dst[dstOff + i] = (src[srcOff + i] & 0xFF) / 255f;
    }

    // ---- element-wise and row-wise ----------------------------------------------------------

    @Override
    public void addBias(int m, int n, float[] x, int xOff, float[] bias, int biasOff) {
        int bound = F.loopBound(n);
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n, j = 0;
            for (; j < bound; j += L) {
                FloatVector.fromArray(F, x, xi + j).add(FloatVector.fromArray(F, bias, biasOff + j)).intoArray(x, xi + j);
            }
            for (; j < n; j++) x[xi + j] += bias[biasOff + j];
        }
    }

    @Override
    public void sumRows(int m, int n, float[] x, int xOff, float[] out, int outOff, boolean accumulate) {
        if (!accumulate) java.util.Arrays.fill(out, outOff, outOff + n, 0f);
        int bound = F.loopBound(n), j = 0;
        // Column strips summed down the rows in row order: the scalar order, so bit-identical.
        for (; j < bound; j += L) {
            FloatVector s = FloatVector.fromArray(F, out, outOff + j);
            for (int i = 0; i < m; i++) s = FloatVector.fromArray(F, x, xOff + i * n + j).add(s);
            s.intoArray(out, outOff + j);
        }
        for (; j < n; j++) {
            float s = out[outOff + j];
            for (int i = 0; i < m; i++) s += x[xOff + i * n + j];
            out[outOff + j] = s;
        }
    }

    @Override
    public void reluForward(int n, float[] x, int xOff, float[] y, int yOff) {
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += L) FloatVector.fromArray(F, x, xOff + i).max(0f).intoArray(y, yOff + i);
        for (; i < n; i++) y[yOff + i] = Math.max(x[xOff + i], 0f);
    }

    @Override
    public void reluBackward(int n, float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff) {
        FloatVector zero = FloatVector.zero(F);
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> active = FloatVector.fromArray(F, y, yOff + i).compare(VectorOperators.GT, 0f);
            zero.blend(FloatVector.fromArray(F, dy, dyOff + i), active).intoArray(dx, dxOff + i);
        }
        for (; i < n; i++) dx[dxOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
    }

    @Override
    public void softmaxRows(int m, int n, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < m; i++) softmaxRow(n, x, xOff + i * n, y, yOff + i * n, max(n, x, xOff + i * n));
    }

    private static float max(int n, float[] x, int xo) {
        int bound = F.loopBound(n), j = 0;
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector mv = FloatVector.fromArray(F, x, xo);
            for (j = L; j < bound; j += L) mv = FloatVector.fromArray(F, x, xo + j).max(mv);
            max = mv.reduceLanes(VectorOperators.MAX);
        }
        if (MASKED_TAIL && j < n) {
            VectorMask<Float> live = F.indexInRange(j, n);
            return Math.max(max, FloatVector.fromArray(F, x, xo + j, live).reduceLanes(VectorOperators.MAX, live));
        }
        for (; j < n; j++) max = Math.max(max, x[xo + j]);
        return max;
    }

    /** Writes softmax(x) to y given the row maximum, and returns log Σ exp(x − max). */
    private static float softmaxRow(int n, float[] x, int xo, float[] y, int yo, float max) {
        if (n == 0) return 0f;
        int bound = F.loopBound(n), j = 0;
        // The exps are Exp's arithmetic, lane by lane the same IEEE operations as the scalar kernel, and
        // their sum runs in index order: the Vector API's EXP and float reduceLanes(ADD) return other
        // bits before C2 compiles them (Java loops) than after (a vector math library, a tree of adds),
        // which made the same input's probabilities depend on how warm the JIT was.
        expShifted(n, x, xo, max, y, yo);
        float sum = 0f;
        for (j = 0; j < n; j++) sum += y[yo + j];
        float inv = 1f / sum;
        j = 0;
        for (; j < bound; j += L) FloatVector.fromArray(F, y, yo + j).mul(inv).intoArray(y, yo + j);
        if (MASKED_TAIL && j < n) {
            VectorMask<Float> live = F.indexInRange(j, n);
            FloatVector.fromArray(F, y, yo + j, live).mul(inv).intoArray(y, yo + j, live);
            return (float) Math.log(sum);
        }
        for (; j < n; j++) y[yo + j] *= inv;
        return (float) Math.log(sum);
    }

    // Exp's arithmetic ({@link Exp#exp}: the same operations lane by lane as the scalar kernels, so the same
    // bits) is written out in each of the three loops below that need it, not called: a helper taking and
    // returning vectors is free only where C2 inlines it, and after a recompile on a thin profile (a new
    // shape after the first compile) it may not, and then boxes every vector it passes, on every call.
    // One loop serving all three through a mode switch boxed too (tanh, after a model of sigmoids).

    /** y = exp(x − shift): softmax's numerators. */
    private static void expShifted(int n, float[] x, int xo, float shift, float[] y, int yo) {
        // Masked loads and stores only where they are single instructions (MASKED_TAIL, a constant: C2
        // compiles one branch); elsewhere full vectors, then the scalar tail.
        int end = MASKED_TAIL ? n : F.loopBound(n), j = 0;
        for (; j < end; j += L) {
            VectorMask<Float> live = MASKED_TAIL ? F.indexInRange(j, n) : null;
            FloatVector v = (MASKED_TAIL ? FloatVector.fromArray(F, x, xo + j, live) : FloatVector.fromArray(F, x, xo + j)).sub(shift);
            VectorMask<Float> under = v.compare(VectorOperators.LT, Exp.LO);
            v = v.min(Exp.HI);
            FloatVector t = v.mul(Exp.LOG2E).add(Exp.ROUND), k = t.sub(Exp.ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(F, -Exp.LN2_HI), v);
            r = k.fma(FloatVector.broadcast(F, -Exp.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, Exp.C7).fma(r, FloatVector.broadcast(F, Exp.C6));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C5));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C4));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C3));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C2));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            FloatVector pow2 = t.reinterpretAsInts().sub(Exp.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(pow2).blend(0f, under);
            if (MASKED_TAIL) e.intoArray(y, yo + j, live); else e.intoArray(y, yo + j);
        }
        for (; j < n; j++) y[yo + j] = Exp.exp(x[xo + j] - shift);
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] x, int xOff, int[] labels, int labelsOff,
                                      float[] probs, int probsOff, float[] grad, int gradOff, float gradScale) {
        double loss = 0;
        int bound = F.loopBound(n);
        for (int i = 0; i < m; i++) {
            int xi = xOff + i * n, pi = probsOff + i * n, gi = gradOff + i * n;
            int y = labels[labelsOff + i];
            float max = max(n, x, xi);
            float logSum = softmaxRow(n, x, xi, probs, pi, max);
            loss += logSum - (x[xi + y] - max);
            int j = 0;
            for (; j < bound; j += L) FloatVector.fromArray(F, probs, pi + j).mul(gradScale).intoArray(grad, gi + j);
            if (MASKED_TAIL && j < n) {
                VectorMask<Float> live = F.indexInRange(j, n);
                FloatVector.fromArray(F, probs, pi + j, live).mul(gradScale).intoArray(grad, gi + j, live);
                j = n;
            }
            for (; j < n; j++) grad[gi + j] = probs[pi + j] * gradScale;
            grad[gi + y] -= gradScale;
        }
        return loss;
    }

    @Override
    public int argmax(int n, float[] x, int xOff) {
        float max = max(n, x, xOff);
        for (int j = 0; j < n; j++) if (x[xOff + j] == max) return j;
        return ScalarKernels.INSTANCE.argmax(n, x, xOff); // NaN present: keep the scalar answer
    }

    @Override
    public void adam(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff, float[] v, int vOff,
                     float lr, float beta1, float beta2, float epsilon, long step) {
        adamSteps(n, param, pOff, grad, gOff, m, mOff, v, vOff, Checks.adamAlpha(lr, beta1, beta2, step),
                1f - beta1, 1f - beta2, epsilon);
    }

    /** The Adam update with its step size α = {@link Checks#adamAlpha} already computed. */
    private static void adamSteps(int n, float[] param, int pOff, float[] grad, int gOff, float[] m, int mOff,
                                  float[] v, int vOff, float alpha, float omb1, float omb2, float epsilon) {
        int bound = F.loopBound(n), i = 0;
        // The same IEEE operations in the same order as the scalar loop: bit-identical updates.
        for (; i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, grad, gOff + i);
            FloatVector mv = FloatVector.fromArray(F, m, mOff + i);
            FloatVector vv = FloatVector.fromArray(F, v, vOff + i);
            mv = mv.add(g.sub(mv).mul(omb1));
            vv = vv.add(g.mul(g).sub(vv).mul(omb2));
            mv = mv.blend(0f, mv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
            vv = vv.blend(0f, vv.abs().compare(VectorOperators.LT, Float.MIN_NORMAL));
            mv.intoArray(m, mOff + i);
            vv.intoArray(v, vOff + i);
            FloatVector p = FloatVector.fromArray(F, param, pOff + i);
            p.sub(mv.mul(alpha).div(vv.lanewise(VectorOperators.SQRT).add(epsilon))).intoArray(param, pOff + i);
        }
        ScalarKernels.adamSteps(n - i, param, pOff + i, grad, gOff + i, m, mOff + i, v, vOff + i, alpha, omb1, omb2, epsilon);
    }

    // ---- images and squashing activations ---------------------------------------------------

    @Override
    public void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                       Workspace workspace) {
        VectorImages.conv2d(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft, outH, outW,
                x, xOff, kernel, kOff, bias, bOff, y, yOff, workspace);
    }

    @Override
    public void conv2dReluPool(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                               int padTop, int padLeft, int outH, int outW,
                               float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                               Workspace workspace) {
        if (VectorImages.fusesReluPool(inC, outC, strideW)) {
            VectorImages.conv2dReluPool(rows, inH, inW, outC, kH, kW, strideH, padTop, padLeft, outH, outW,
                    x, xOff, kernel, kOff, bias, bOff, y, yOff, workspace);
        } else {
            Arithmetic.super.conv2dReluPool(rows, inH, inW, inC, outC, kH, kW, strideH, strideW, padTop, padLeft,
                    outH, outW, x, xOff, kernel, kOff, bias, bOff, y, yOff, workspace);
        }
    }

    @Override
    public void maxPool2d(int rows, int inH, int inW, int channels, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        VectorImages.maxPool2d(rows, inH, inW, channels, poolH, poolW, strideH, strideW, padTop, padLeft, outH, outW, x, xOff, y, yOff);
    }

    // Sigmoid and tanh run Activations' operations lane by lane, on this class's exp: the scalar bits.

    /**
     * A vector of channels at a time: the taps' bits compared with the output's, each tap written dy
     * where it is the first equal one and 0 elsewhere, so dx needs no clearing first. Channels past the
     * last full vector, and the cells outside every window, by the scalar kernel.
     */
    @Override
    public void maxPool2dBackward(int rows, int inH, int inW, int channels, int pool, float[] x, int xOff, float[] y, int yOff,
                                  float[] dy, int dyOff, float[] dx, int dxOff) {
        int bound = I.loopBound(channels);
        if (bound > 0) {
            int outH = inH / pool, outW = inW / pool, rowStride = inW * channels;
            IntVector zero = IntVector.zero(I);
            for (int r = 0; r < rows; r++) {
                int xi = xOff + r * inH * rowStride, dxi = dxOff + r * inH * rowStride, o = r * outH * outW * channels;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++, o += channels) {
                        int first = oh * pool * rowStride + ow * pool * channels;
                        for (int c = 0; c < bound; c += L) {
                            IntVector max = FloatVector.fromArray(F, y, yOff + o + c).reinterpretAsInts();
                            IntVector g = FloatVector.fromArray(F, dy, dyOff + o + c).reinterpretAsInts();
                            VectorMask<Integer> taken = I.maskAll(false);
                            for (int kh = 0; kh < pool; kh++) {
                                for (int kw = 0, tap = first + kh * rowStride + c; kw < pool; kw++, tap += channels) {
                                    VectorMask<Integer> hit = FloatVector.fromArray(F, x, xi + tap).reinterpretAsInts()
                                            .compare(VectorOperators.EQ, max).andNot(taken);
                                    zero.blend(g, hit).reinterpretAsFloats().intoArray(dx, dxi + tap);
                                    taken = hit.or(taken);
                                }
                            }
                        }
                    }
                }
            }
        }
        // The scalar kernel's cells outside every window cover all channels; its taps only those from bound.
        if (bound < channels || inH % pool != 0 || inW % pool != 0) {
            ScalarImages.maxPool2dBackward(bound, rows, inH, inW, channels, pool, x, xOff, y, yOff, dy, dyOff, dx, dxOff);
        }
    }

    @Override
    public void sigmoid(int n, float[] x, int xOff, float[] y, int yOff) {
        int bound = F.loopBound(n), i = 0;
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i), m = v.abs().neg();
            VectorMask<Float> under = m.compare(VectorOperators.LT, Exp.LO);
            m = m.min(Exp.HI);
            FloatVector t = m.mul(Exp.LOG2E).add(Exp.ROUND), k = t.sub(Exp.ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(F, -Exp.LN2_HI), m);
            r = k.fma(FloatVector.broadcast(F, -Exp.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, Exp.C7).fma(r, FloatVector.broadcast(F, Exp.C6));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C5));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C4));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C3));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C2));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            FloatVector pow2 = t.reinterpretAsInts().sub(Exp.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(pow2).blend(0f, under);
            e.blend(1f, v.compare(VectorOperators.GE, 0f)).div(e.add(1f)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Activations.sigmoid(x[xOff + i]);
    }

    @Override
    public void tanh(int n, float[] x, int xOff, float[] y, int yOff) {
        int bound = F.loopBound(n), i = 0;
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i);
            FloatVector a = v.abs(), z = v.mul(v);
            FloatVector q = FloatVector.broadcast(F, Activations.T17).fma(z, FloatVector.broadcast(F, Activations.T15));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T13));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T11));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T9));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T7));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T5));
            q = q.fma(z, FloatVector.broadcast(F, Activations.T3));
            FloatVector poly = a.mul(z).fma(q, a), m = a.mul(-2f);
            VectorMask<Float> under = m.compare(VectorOperators.LT, Exp.LO);
            m = m.min(Exp.HI);
            FloatVector t = m.mul(Exp.LOG2E).add(Exp.ROUND), k = t.sub(Exp.ROUND);
            FloatVector r = k.fma(FloatVector.broadcast(F, -Exp.LN2_HI), m);
            r = k.fma(FloatVector.broadcast(F, -Exp.LN2_LO), r);
            FloatVector p = FloatVector.broadcast(F, Exp.C7).fma(r, FloatVector.broadcast(F, Exp.C6));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C5));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C4));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C3));
            p = p.fma(r, FloatVector.broadcast(F, Exp.C2));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            FloatVector pow2 = t.reinterpretAsInts().sub(Exp.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(pow2).blend(0f, under);
            FloatVector th = one.sub(e).div(one.add(e)).blend(poly, a.compare(VectorOperators.LT, Activations.TANH_POLY));
            th.reinterpretAsInts().or(v.reinterpretAsInts().and(Activations.SIGN)).reinterpretAsFloats().intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Activations.tanh(x[xOff + i]);
    }
}
