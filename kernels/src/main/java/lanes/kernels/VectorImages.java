package lanes.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API convolution and max pooling of {@link Kernels}; {@link VectorKernels} calls these with
 * operands that {@link CheckedKernels} has checked.
 *
 * <h2>Convolution: an implicit GEMM, vectorised across output channels</h2>
 * Output pixels are the GEMM's rows, output channels its columns, and the taps (kh, kw, ic) its k: the
 * HWIO kernel already is the GEMM's B, [kH·kW·inC][outC], and row m of A, the taps of output pixel m,
 * is kH runs of kW·inC contiguous floats of the NHWC image, so A is read where it lies, with no im2col
 * copy. A register tile holds 8 pixels × 2 vectors of channels (16 accumulators: 2 weight loads and 8
 * broadcasts per 16 fma). Each output element is one fma chain over the taps in kh, kw, ic order, then
 * the bias is added: the scalar kernel's order, hence its bits. Taps in the padding read zeros from a
 * padded copy of the image, and zero inputs are multiplied rather than skipped: with finite weights,
 * fma(0, w, acc) is acc (up to the sign of a zero acc), exactly as if skipped.
 *
 * <p>Why not the GEMM's own packed, zero-skipping path: packing A costs one pass per tap and pixel, as
 * much as the multiply-adds it would save on a 1-channel image (25 taps, 16 channels), and the
 * 4-row × 4-vector tile leaves 3 of 4 vectors idle at 16 or 32 output channels. Why not vectorise across
 * pixels: NHWC puts a pixel's channels, not neighbouring pixels, side by side, and an 8×8 output (the
 * second layer of a small MNIST CNN) does not fill a 16-lane row. Measured (Zen 4, 512-bit, one image,
 * best of 400 runs on a shared machine): 12×12×16 to 32 of 5×5 in 18.5 µs, 88 GFLOP/s, where the GEMM on
 * the same 64×32×400 product from a ready im2col matrix takes 20.6 µs (22.2 skipping zeros); 28×28×1 to
 * 16 of 5×5 in 7.8 µs (the GEMM: 9.8, skipping zeros 13.5). Channel counts that are not a multiple
 * of the vector length run with the weights and bias copied into a zero-padded scratch (the padded
 * lanes are computed and not stored), so the inner loop never has a tail. An input-stationary form that
 * skips zero inputs one by one (each non-zero input fma'd into the outputs whose windows hold it, in y)
 * was tried: 2.2× slower on a random 80%-zero 28×28×1 image and 1.8× slower at 50% zeros on the second
 * layer, so zeros are multiplied here. So was leaving out, per 8-pixel tile, the kh rows that are zero in
 * all 8 windows (a third of them on a real MNIST digit, found by prefix counts of non-zero pixels): the
 * per-tile tap list and the indirect weight index cost more than the fma saved (28×28×1 to 16 of 5×5 on
 * a real digit: 10.2 µs against 7.8 µs without).
 */
final class VectorImages {
    private VectorImages() {}

    private static final VectorSpecies<Float> F = VectorWidth.SPECIES;
    private static final int L = F.length();
    private static final VectorSpecies<Float> T = FloatVector.SPECIES_128;
    private static final int TL = T.length();
    private static final boolean NARROW_TAIL = L > TL;
    // Half a 512-bit vector: "few channels" (at most HL) for byRow and pool2x2, which lay out and pool
    // LeNet's 6 channels in 8 lanes. (256-bit convolution tiles for few channels were taken out: see conv2d.)
    private static final VectorSpecies<Float> H = L > 8 ? FloatVector.SPECIES_256 : F;
    private static final int HL = H.length();
    /** Taps a kernel row from which the tiles walk rows rather than a flat tap list. */
    private static final int ROW_TAPS = 12;
    /** Output pixels per register tile. */
    private static final int R = 8;

    /**
     * Scratch: a padded image, padded weights and bias. Predict must not allocate: it lives in a
     * {@link Kernels.Workspace}, the caller's or the calling thread's own.
     */
    private static final class Scratch {
        float[] image = new float[0], weights = new float[0], bias = new float[0];
        int[] offsets = new int[0];
        /** Two strips of {@link #strip6}, conv rows 2r and 2r+1, for {@link #conv2dReluPool}. */
        float[] planes = new float[0];
        /** A tile's outputs when its last vector is part padding, copied out channel by channel. */
        final float[] tile = new float[R * 2 * L];
    }

    static void conv2d(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int strideH, int strideW,
                       int padTop, int padLeft, int outH, int outW,
                       float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, float[] y, int yOff,
                       Kernels.Workspace workspace) {
        // the part of the padded image the windows read
        int hp = (outH - 1) * strideH + kH, wp = (outW - 1) * strideW + kW;
        // a 1-channel image at column stride 1 into few channels: vectorised across a row's pixels
        // instead, reading the image from the padded copy (which has room for the last row's overrun)
        boolean byRow = L > HL && outC <= HL && inC == 1 && strideW == 1;
        boolean padded = byRow || padTop > 0 || padLeft > 0 || hp > inH || wp > inW;
        // Every other convolution runs on whole vectors, few channels included (their padding lanes
        // compute zeros): 256-bit tiles for up to 8 channels, at twice the fma rate, boxed their vectors
        // for good in fresh JVMs whose compile history differed (the convolutional probe, 384 bytes a
        // tile, in 1 to 2 runs of 20), and no bundled or benchmarked layer needs them.
        int lanes = byRow ? HL : L, ldw = (outC + lanes - 1) / lanes * lanes, taps = kH * kW * inC;
        Kernels.Workspace ws = workspace != null ? workspace : Kernels.Workspace.perThread();
        if (!(ws.images instanceof Scratch)) ws.images = new Scratch();
        Scratch s = (Scratch) ws.images;
        // where tap q = (kh, kw, ic) lies from a window's start: one flat loop over the taps instead of kH
        // short ones (5 steps each for a 1-channel image), whose set-up cost as much as their fma
        if (s.offsets.length < taps) s.offsets = new int[taps];
        int rowLenX = padded ? wp * inC : inW * inC;
        for (int kh = 0, q = 0; kh < kH; kh++) for (int t = 0; t < kW * inC; t++) s.offsets[q++] = kh * rowLenX + t;
        float[] w = kernel, b = bias;
        int wOff = kOff, bo = bOff;
        if (ldw != outC) {
            padWeights(s, kernel, kOff, bias, bOff, taps, outC, ldw);
            w = s.weights;
            b = s.bias;
            wOff = 0;
            bo = 0;
        }
        int imageLen = hp * wp * inC + (byRow ? 2 * L : 0);
        if (padded && s.image.length < imageLen) s.image = new float[imageLen];
        int inSize = inH * inW * inC, outSize = outH * outW * outC, yEnd = yOff + rows * outSize;
        for (int img = 0; img < rows; img++) {
            int xi = xOff + img * inSize;
            if (padded) {
                padImage(x, xi, inH, inW, inC, padTop, padLeft, hp, wp, s.image);
                if (byRow) {
                    byRow(s.image, wp, kH, kW, strideH, outH, outW, outC, ldw, w, wOff, b, bo, y, yOff + img * outSize, s.tile);
                    continue;
                }
                image(s.image, 0, wp * inC, inC, outC, kH, kW, strideH, strideW, outH, outW, ldw, w, wOff, b, bo, y, yOff + img * outSize, yEnd, s.offsets, s.tile);
            } else {
                image(x, xi, inW * inC, inC, outC, kH, kW, strideH, strideW, outH, outW, ldw, w, wOff, b, bo, y, yOff + img * outSize, yEnd, s.offsets, s.tile);
            }
        }
    }

    /** Copies the weights into s.weights with rows ldw wide, and the bias into s.bias, zeros after outC. */
    private static void padWeights(Scratch s, float[] kernel, int kOff, float[] bias, int bOff, int taps, int outC, int ldw) {
        if (s.weights.length < taps * ldw) s.weights = new float[taps * ldw];
        if (s.bias.length < ldw) s.bias = new float[ldw];
        float[] w = s.weights;
        // one plain loop: an arraycopy and a fill per tap (50 calls of 6 and 2 floats for LeNet's first
        // layer) cost more than the copying itself
        for (int t = 0, src = kOff, dst = 0; t < taps; t++, src += outC) {
            for (int j = 0; j < outC; j++) w[dst++] = kernel[src + j];
            for (int j = outC; j < ldw; j++) w[dst++] = 0f;
        }
        System.arraycopy(bias, bOff, s.bias, 0, outC);
        java.util.Arrays.fill(s.bias, outC, ldw, 0f);
    }

    // ---- convolution, ReLU and 2×2 max pooling in one pass --------------------------------------

    /** Whether {@link #conv2dReluPool} runs these as one pass (else the caller runs the three kernels). */
    static boolean fusesReluPool(int inC, int outC, int strideW) {
        return L > HL && inC == 1 && strideW == 1 && outC >= 3 && outC <= 6;
    }

    /** Even and odd lanes of two vectors, in order: conv columns 2j and 2j+1 of a 2·L-pixel strip. */
    private static final VectorShuffle<Float> EVEN = pairs(0), ODD = pairs(1);

    private static VectorShuffle<Float> pairs(int first) {
        int[] idx = new int[L];
        // lanes of the second vector are the exceptional indexes i − L·2 (wrapped below zero)
        for (int i = 0; i < L; i++) idx[i] = 2 * i + first < L ? 2 * i + first : 2 * i + first - 2 * L;
        return VectorShuffle.fromArray(F, idx, 0);
    }

    /**
     * conv2d, ReLU and 2×2 max pooling at stride 2 for a 1-channel image at column stride 1 into 3 to 6
     * filters ({@link #fusesReluPool}): for each pooled row, {@link #strip6} computes conv rows 2r and
     * 2r+1 into two channel-planar strips, and {@link #pool6} pools them. No full-size output is written,
     * transposed and read back (the copy into NHWC alone was a fifth of LeNet-5's first layer), and ReLU
     * and pooling run on whole vectors. Each output is max(max(max(relu(a), relu(b)), relu(c)), relu(d))
     * over the taps in kh, kw order with the bits of conv2d's sums: the three kernels' bits.
     */
    static void conv2dReluPool(int rows, int inH, int inW, int outC, int kH, int kW, int strideH, int padTop, int padLeft,
                               int outH, int outW, float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff,
                               float[] y, int yOff, Kernels.Workspace workspace) {
        int hp = (outH - 1) * strideH + kH, wp = outW - 1 + kW, taps = kH * kW, ldw = HL;
        if (!(workspace.images instanceof Scratch)) workspace.images = new Scratch();
        Scratch s = (Scratch) workspace.images;
        padWeights(s, kernel, kOff, bias, bOff, taps, outC, ldw);
        int imageLen = hp * wp + 2 * L;
        if (s.image.length < imageLen) s.image = new float[imageLen];
        if (s.planes.length < 2 * 12 * L) s.planes = new float[2 * 12 * L];
        int ph = outH / 2, pw = outW / 2, outSize = ph * pw * outC;
        for (int img = 0; img < rows; img++) {
            padImage(x, xOff + img * inH * inW, inH, inW, 1, padTop, padLeft, hp, wp, s.image);
            for (int r = 0; r < ph; r++) {
                int r0 = 2 * r * strideH * wp, r1 = r0 + strideH * wp;
                for (int ow0 = 0; ow0 < 2 * pw; ow0 += 2 * L) {
                    strip6(s.image, r0 + ow0, wp, kH, kW, s.weights, 0, ldw, s.bias, 0, s.planes, 0);
                    strip6(s.image, r1 + ow0, wp, kH, kW, s.weights, 0, ldw, s.bias, 0, s.planes, 12 * L);
                    pool6(s.planes, outC, Math.min(L, pw - ow0 / 2), y, yOff + img * outSize + (r * pw + ow0 / 2) * outC, s.tile);
                }
            }
        }
    }

    /**
     * Pools two strips of {@link #strip6} (conv rows 2r and 2r+1, channel c's 2·L pixels at c·2·L and at
     * 12·L + c·2·L) into n pooled pixels × outC channels of y (NHWC), through tmp.
     */
    private static void pool6(float[] planes, int outC, int n, float[] y, int y0, float[] tmp) {
        for (int c = 0; c < outC; c++) {
            int p0 = c * 2 * L, p1 = 12 * L + p0;
            FloatVector r0a = FloatVector.fromArray(F, planes, p0), r0b = FloatVector.fromArray(F, planes, p0 + L);
            FloatVector r1a = FloatVector.fromArray(F, planes, p1), r1b = FloatVector.fromArray(F, planes, p1 + L);
            // the pool's taps (0,0), (0,1), (1,0), (1,1), each through ReLU first, as reluForward then maxPool2d
            r0a.rearrange(EVEN, r0b).max(0f).max(r0a.rearrange(ODD, r0b).max(0f))
                    .max(r1a.rearrange(EVEN, r1b).max(0f)).max(r1a.rearrange(ODD, r1b).max(0f))
                    .intoArray(tmp, c * L);
        }
        for (int j = 0, yo = y0; j < n; j++, yo += outC) for (int c = 0; c < outC; c++) y[yo + c] = tmp[c * L + j];
    }

    /** Copies one image into rows of wp pixels, zeros around it, clipped to the hp×wp the windows read. */
    private static void padImage(float[] x, int xi, int inH, int inW, int inC, int padTop, int padLeft, int hp, int wp, float[] p) {
        java.util.Arrays.fill(p, 0, hp * wp * inC, 0f);
        int cols = Math.min(inW, wp - padLeft);
        if (cols <= 0) return;
        for (int ih = 0; ih < inH && ih + padTop < hp; ih++) {
            System.arraycopy(x, xi + ih * inW * inC, p, ((ih + padTop) * wp + padLeft) * inC, cols * inC);
        }
    }

    /**
     * One image, already padded: output pixel (oh, ow) reads rows oh·strideH .. + kH − 1 of src, each
     * rowLen floats long, from column ow·strideW; weights rows ldw apart, bias ldw long.
     *
     * <p>When the pixels are not a multiple of the tile, the last tile is moved back to end on the last
     * pixel: it recomputes a few pixels of the tile before (the same chains, so the same bits) rather than
     * leaving the rest to one-pixel tiles, each a single fma chain waiting on the fma latency (LeNet-5's
     * second layer has 100 pixels: 12 tiles and 4 single pixels before, 13 tiles now). Images with fewer
     * pixels than a tile still go one pixel at a time.
     */
    private static void image(float[] src, int s0, int rowLen, int inC, int outC, int kH, int kW, int strideH, int strideW,
                              int outH, int outW, int ldw, float[] w, int wOff, float[] b, int bOff, float[] y, int y0,
                              int yEnd, int[] offsets, float[] tmp) {
        int pixels = outH * outW, kwc = kW * inC, m = 0;
        for (; m < pixels && pixels >= R; m += R) {
            m = Math.min(m, pixels - R);
            int b0 = base(s0, m, outW, strideH, strideW, rowLen, inC), b1 = base(s0, m + 1, outW, strideH, strideW, rowLen, inC),
                    b2 = base(s0, m + 2, outW, strideH, strideW, rowLen, inC), b3 = base(s0, m + 3, outW, strideH, strideW, rowLen, inC),
                    b4 = base(s0, m + 4, outW, strideH, strideW, rowLen, inC), b5 = base(s0, m + 5, outW, strideH, strideW, rowLen, inC),
                    b6 = base(s0, m + 6, outW, strideH, strideW, rowLen, inC), b7 = base(s0, m + 7, outW, strideH, strideW, rowLen, inC);
            int j = 0;
            for (; j + 2 * L <= ldw; j += 2 * L) {
                tile8x2(src, b0, b1, b2, b3, b4, b5, b6, b7, kH, kwc, rowLen, w, wOff + j, ldw, b, bOff + j, y, y0 + m * outC + j, outC, outC - j, tmp);
            }
            if (j < ldw && kwc >= ROW_TAPS) {
                tile8x1Rows(src, b0, b1, b2, b3, b4, b5, b6, b7, kH, kwc, rowLen, w, wOff + j, ldw, b, bOff + j, y, y0 + m * outC + j, outC, outC - j, tmp);
            } else if (j < ldw) {
                tile8x1(src, b0, b1, b2, b3, b4, b5, b6, b7, offsets, kH * kwc, w, wOff + j, ldw, b, bOff + j, y, y0 + m * outC + j, outC, outC - j, tmp);
            }
        }
        for (; m < pixels; m++) {
            int b0 = base(s0, m, outW, strideH, strideW, rowLen, inC);
            for (int j = 0; j < ldw; j += L) tile1x1(src, b0, kH, kwc, rowLen, w, wOff + j, ldw, b, bOff + j, y, y0 + m * outC + j, outC - j, tmp);
        }
    }

    /**
     * One padded 1-channel image (rows wp floats apart, 2·L floats of slack after it), column stride 1:
     * 2·L output pixels of a row × 2 channels at a time, x[oh·strideH + kh][ow + kw ..] being contiguous.
     * Each output element is still acc = 0, fma over kh, kw ascending, then + bias: the same bits as the
     * tiles. LeNet's first layer (28 wide, 6 channels) thus fills 28 of 32 lanes, not 6 of 8, and loads
     * 2 image vectors and 2 weights per 4 fma instead of 8 pixels and a weight vector per 8 (each pixel
     * load with its own bounds check). The lanes past outW read the slack or the next row and are not
     * stored; the outputs go to y channel-interleaved, through tmp.
     */
    private static void byRow(float[] src, int wp, int kH, int kW, int strideH, int outH, int outW, int outC, int ldw,
                              float[] w, int wOff, float[] b, int bOff, float[] y, int y0, float[] tmp) {
        for (int oh = 0; oh < outH; oh++) {
            int r0 = oh * strideH * wp;
            for (int ow0 = 0; ow0 < outW; ow0 += 2 * L) {
                int n = Math.min(2 * L, outW - ow0), oc = 0;
                if (outC >= 3) {
                    // channels 0..5 in one pass (ldw ≥ 8 here, so channels past outC are zero weights)
                    strip6(src, r0 + ow0, wp, kH, kW, w, wOff, ldw, b, bOff, tmp, 0);
                    int live = Math.min(6, outC), yo = y0 + (oh * outW + ow0) * outC;
                    if (live == 6) { // written out: the general loop below took LeNet's first layer from 4.6 to 5.1–5.8 µs
                        for (int i = 0; i < n; i++, yo += outC) {
                            y[yo] = tmp[i]; y[yo + 1] = tmp[2 * L + i]; y[yo + 2] = tmp[4 * L + i];
                            y[yo + 3] = tmp[6 * L + i]; y[yo + 4] = tmp[8 * L + i]; y[yo + 5] = tmp[10 * L + i];
                        }
                    } else {
                        for (int i = 0; i < n; i++, yo += outC) for (int c = 0; c < live; c++) y[yo + c] = tmp[2 * L * c + i];
                    }
                    oc = 6;
                }
                for (; oc < outC; oc += 2) {
                    FloatVector z = FloatVector.zero(F);
                    FloatVector a00 = z, a01 = z, a10 = z, a11 = z;
                    for (int kh = 0; kh < kH; kh++) {
                        int xr = r0 + kh * wp + ow0, wr = wOff + kh * kW * ldw + oc;
                        for (int kw = 0; kw < kW; kw++) {
                            FloatVector x0 = FloatVector.fromArray(F, src, xr + kw), x1 = FloatVector.fromArray(F, src, xr + kw + L);
                            int wi = wr + kw * ldw;
                            FloatVector w0 = FloatVector.broadcast(F, w[wi]), w1 = FloatVector.broadcast(F, w[wi + 1]);
                            a00 = x0.fma(w0, a00); a01 = x0.fma(w1, a01);
                            a10 = x1.fma(w0, a10); a11 = x1.fma(w1, a11);
                        }
                    }
                    // ldw is even (a whole vector), so channel oc + 1 has a weight and a bias, zero if padding
                    FloatVector c0 = FloatVector.broadcast(F, b[bOff + oc]), c1 = FloatVector.broadcast(F, b[bOff + oc + 1]);
                    a00.add(c0).intoArray(tmp, 0); a10.add(c0).intoArray(tmp, L);
                    a01.add(c1).intoArray(tmp, 2 * L); a11.add(c1).intoArray(tmp, 3 * L);
                    int yo = y0 + (oh * outW + ow0) * outC + oc;
                    if (oc + 1 < outC) {
                        for (int i = 0; i < n; i++, yo += outC) { y[yo] = tmp[i]; y[yo + 1] = tmp[2 * L + i]; }
                    } else {
                        for (int i = 0; i < n; i++, yo += outC) y[yo] = tmp[i];
                    }
                }
            }
        }
    }

    /**
     * {@link #byRow}'s step for six channels at once: 2·L output pixels from x0 (rows wp apart) × channels
     * 0..5, twelve fma chains, so the fma units never wait on one (four chains, two channels at a time,
     * kept them half idle), and each pair of image vectors serves six channels rather than two. Each
     * output element is the same chain as in the two-channel step. The sums plus bias go to tmp, channel
     * c's 2·L pixels at c·2·L.
     */
    private static void strip6(float[] src, int x0, int wp, int kH, int kW, float[] w, int wOff, int ldw,
                               float[] b, int bOff, float[] tmp, int t0) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a04 = z, a05 = z,
                a10 = z, a11 = z, a12 = z, a13 = z, a14 = z, a15 = z;
        for (int kh = 0; kh < kH; kh++) {
            int xr = x0 + kh * wp, wr = wOff + kh * kW * ldw;
            for (int kw = 0; kw < kW; kw++) {
                FloatVector x0v = FloatVector.fromArray(F, src, xr + kw), x1v = FloatVector.fromArray(F, src, xr + kw + L);
                int wi = wr + kw * ldw;
                FloatVector wv = FloatVector.broadcast(F, w[wi]);
                a00 = x0v.fma(wv, a00); a10 = x1v.fma(wv, a10);
                wv = FloatVector.broadcast(F, w[wi + 1]);
                a01 = x0v.fma(wv, a01); a11 = x1v.fma(wv, a11);
                wv = FloatVector.broadcast(F, w[wi + 2]);
                a02 = x0v.fma(wv, a02); a12 = x1v.fma(wv, a12);
                wv = FloatVector.broadcast(F, w[wi + 3]);
                a03 = x0v.fma(wv, a03); a13 = x1v.fma(wv, a13);
                wv = FloatVector.broadcast(F, w[wi + 4]);
                a04 = x0v.fma(wv, a04); a14 = x1v.fma(wv, a14);
                wv = FloatVector.broadcast(F, w[wi + 5]);
                a05 = x0v.fma(wv, a05); a15 = x1v.fma(wv, a15);
            }
        }
        FloatVector c = FloatVector.broadcast(F, b[bOff]);
        a00.add(c).intoArray(tmp, t0 + 0); a10.add(c).intoArray(tmp, t0 + L);
        c = FloatVector.broadcast(F, b[bOff + 1]);
        a01.add(c).intoArray(tmp, t0 + 2 * L); a11.add(c).intoArray(tmp, t0 + 3 * L);
        c = FloatVector.broadcast(F, b[bOff + 2]);
        a02.add(c).intoArray(tmp, t0 + 4 * L); a12.add(c).intoArray(tmp, t0 + 5 * L);
        c = FloatVector.broadcast(F, b[bOff + 3]);
        a03.add(c).intoArray(tmp, t0 + 6 * L); a13.add(c).intoArray(tmp, t0 + 7 * L);
        c = FloatVector.broadcast(F, b[bOff + 4]);
        a04.add(c).intoArray(tmp, t0 + 8 * L); a14.add(c).intoArray(tmp, t0 + 9 * L);
        c = FloatVector.broadcast(F, b[bOff + 5]);
        a05.add(c).intoArray(tmp, t0 + 10 * L); a15.add(c).intoArray(tmp, t0 + 11 * L);
    }

    /** Where output pixel m's window starts in src. */
    private static int base(int s0, int m, int outW, int strideH, int strideW, int rowLen, int inC) {
        int oh = m / outW, ow = m - oh * outW;
        return s0 + oh * strideH * rowLen + ow * strideW * inC;
    }

    // The tiles store whole vectors: straight into y when every lane is an output channel, else into tmp
    // and the real channels copied on. No vector is handed to a helper method: one that C2 does not
    // inline receives it boxed, an allocation per store (and a masked store of a computed length was not
    // intrinsified either: 32 bytes per pixel at 6 channels).

    /** Copies the first {@code live} of each of n rows of tmp (rows {@code width} apart) to y, rows ldy apart. */
    private static void copyOut(float[] tmp, int n, int width, int live, float[] y, int y0, int ldy) {
        for (int r = 0; r < n; r++) System.arraycopy(tmp, r * width, y, y0 + r * ldy, live);
    }

    /**
     * Eight output pixels (windows at b0..b7 of src) × two vectors of channels from weight column w0;
     * outputs go to y0 + r·ldy for pixel r, of which {@code live} channels are real (the rest padding).
     */
    private static void tile8x2(float[] src, int b0, int b1, int b2, int b3, int b4, int b5, int b6, int b7,
                                int kH, int kwc, int rowLen, float[] w, int w0, int ldw, float[] bias, int bj,
                                float[] y, int y0, int ldy, int live, float[] tmp) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a10 = z, a11 = z, a20 = z, a21 = z, a30 = z, a31 = z,
                a40 = z, a41 = z, a50 = z, a51 = z, a60 = z, a61 = z, a70 = z, a71 = z;
        for (int kh = 0; kh < kH; kh++) {
            int xr = kh * rowLen, wr = w0 + kh * kwc * ldw;
            for (int t = 0; t < kwc; t++) {
                int wi = wr + t * ldw, xi = xr + t;
                FloatVector w0v = FloatVector.fromArray(F, w, wi), w1v = FloatVector.fromArray(F, w, wi + L);
                FloatVector v = FloatVector.broadcast(F, src[b0 + xi]);
                a00 = v.fma(w0v, a00); a01 = v.fma(w1v, a01);
                v = FloatVector.broadcast(F, src[b1 + xi]);
                a10 = v.fma(w0v, a10); a11 = v.fma(w1v, a11);
                v = FloatVector.broadcast(F, src[b2 + xi]);
                a20 = v.fma(w0v, a20); a21 = v.fma(w1v, a21);
                v = FloatVector.broadcast(F, src[b3 + xi]);
                a30 = v.fma(w0v, a30); a31 = v.fma(w1v, a31);
                v = FloatVector.broadcast(F, src[b4 + xi]);
                a40 = v.fma(w0v, a40); a41 = v.fma(w1v, a41);
                v = FloatVector.broadcast(F, src[b5 + xi]);
                a50 = v.fma(w0v, a50); a51 = v.fma(w1v, a51);
                v = FloatVector.broadcast(F, src[b6 + xi]);
                a60 = v.fma(w0v, a60); a61 = v.fma(w1v, a61);
                v = FloatVector.broadcast(F, src[b7 + xi]);
                a70 = v.fma(w0v, a70); a71 = v.fma(w1v, a71);
            }
        }
        FloatVector c0 = FloatVector.fromArray(F, bias, bj), c1 = FloatVector.fromArray(F, bias, bj + L);
        boolean direct = live >= 2 * L;
        float[] out = direct ? y : tmp;
        int o = direct ? y0 : 0, ld = direct ? ldy : 2 * L;
        a00.add(c0).intoArray(out, o); a01.add(c1).intoArray(out, o + L);
        a10.add(c0).intoArray(out, o + ld); a11.add(c1).intoArray(out, o + ld + L);
        a20.add(c0).intoArray(out, o + 2 * ld); a21.add(c1).intoArray(out, o + 2 * ld + L);
        a30.add(c0).intoArray(out, o + 3 * ld); a31.add(c1).intoArray(out, o + 3 * ld + L);
        a40.add(c0).intoArray(out, o + 4 * ld); a41.add(c1).intoArray(out, o + 4 * ld + L);
        a50.add(c0).intoArray(out, o + 5 * ld); a51.add(c1).intoArray(out, o + 5 * ld + L);
        a60.add(c0).intoArray(out, o + 6 * ld); a61.add(c1).intoArray(out, o + 6 * ld + L);
        a70.add(c0).intoArray(out, o + 7 * ld); a71.add(c1).intoArray(out, o + 7 * ld + L);
        if (!direct) copyOut(tmp, R, 2 * L, live, y, y0, ldy);
    }

    /** As {@link #tile8x2} with one vector of channels. */
    private static void tile8x1(float[] src, int b0, int b1, int b2, int b3, int b4, int b5, int b6, int b7,
                                int[] offsets, int taps, float[] w, int w0, int ldw, float[] bias, int bj,
                                float[] y, int y0, int ldy, int live, float[] tmp) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int q = 0; q < taps; q++) {
            int xi = offsets[q];
            FloatVector wv = FloatVector.fromArray(F, w, w0 + q * ldw);
            a0 = FloatVector.broadcast(F, src[b0 + xi]).fma(wv, a0);
            a1 = FloatVector.broadcast(F, src[b1 + xi]).fma(wv, a1);
            a2 = FloatVector.broadcast(F, src[b2 + xi]).fma(wv, a2);
            a3 = FloatVector.broadcast(F, src[b3 + xi]).fma(wv, a3);
            a4 = FloatVector.broadcast(F, src[b4 + xi]).fma(wv, a4);
            a5 = FloatVector.broadcast(F, src[b5 + xi]).fma(wv, a5);
            a6 = FloatVector.broadcast(F, src[b6 + xi]).fma(wv, a6);
            a7 = FloatVector.broadcast(F, src[b7 + xi]).fma(wv, a7);
        }
        FloatVector c = FloatVector.fromArray(F, bias, bj);
        boolean direct = live >= L;
        float[] out = direct ? y : tmp;
        int o = direct ? y0 : 0, ld = direct ? ldy : L;
        a0.add(c).intoArray(out, o); a1.add(c).intoArray(out, o + ld);
        a2.add(c).intoArray(out, o + 2 * ld); a3.add(c).intoArray(out, o + 3 * ld);
        a4.add(c).intoArray(out, o + 4 * ld); a5.add(c).intoArray(out, o + 5 * ld);
        a6.add(c).intoArray(out, o + 6 * ld); a7.add(c).intoArray(out, o + 7 * ld);
        if (!direct) copyOut(tmp, R, L, live, y, y0, ldy);
    }

    /**
     * As {@link #tile8x1}, the taps walked kh by kh, each row's kW·inC taps contiguous in src: the image
     * index is then linear in the loop variable, so C2 checks the eight pixels' bounds once per row
     * rather than once per tap and pixel, as it must for a tap list. Chosen from {@link #ROW_TAPS} taps a
     * row (LeNet-5's second layer, 30 a row: 7.1 µs with the list). Same fma order, so the same bits.
     * tile8x1 keeps the flat list for short kernel rows (a 1-channel image's 5 taps a row), where the
     * set-up of kH short loops cost as much as their fma.
     */
    private static void tile8x1Rows(float[] src, int b0, int b1, int b2, int b3, int b4, int b5, int b6, int b7,
                                    int kH, int kwc, int rowLen, float[] w, int w0, int ldw, float[] bias, int bj,
                                    float[] y, int y0, int ldy, int live, float[] tmp) {
        FloatVector z = FloatVector.zero(F);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int kh = 0; kh < kH; kh++) {
            int xr = kh * rowLen, wr = w0 + kh * kwc * ldw;
            for (int t = 0; t < kwc; t++) {
                int xi = xr + t;
                FloatVector wv = FloatVector.fromArray(F, w, wr + t * ldw);
                a0 = FloatVector.broadcast(F, src[b0 + xi]).fma(wv, a0);
                a1 = FloatVector.broadcast(F, src[b1 + xi]).fma(wv, a1);
                a2 = FloatVector.broadcast(F, src[b2 + xi]).fma(wv, a2);
                a3 = FloatVector.broadcast(F, src[b3 + xi]).fma(wv, a3);
                a4 = FloatVector.broadcast(F, src[b4 + xi]).fma(wv, a4);
                a5 = FloatVector.broadcast(F, src[b5 + xi]).fma(wv, a5);
                a6 = FloatVector.broadcast(F, src[b6 + xi]).fma(wv, a6);
                a7 = FloatVector.broadcast(F, src[b7 + xi]).fma(wv, a7);
            }
        }
        FloatVector c = FloatVector.fromArray(F, bias, bj);
        boolean direct = live >= L;
        float[] out = direct ? y : tmp;
        int o = direct ? y0 : 0, ld = direct ? ldy : L;
        a0.add(c).intoArray(out, o); a1.add(c).intoArray(out, o + ld);
        a2.add(c).intoArray(out, o + 2 * ld); a3.add(c).intoArray(out, o + 3 * ld);
        a4.add(c).intoArray(out, o + 4 * ld); a5.add(c).intoArray(out, o + 5 * ld);
        a6.add(c).intoArray(out, o + 6 * ld); a7.add(c).intoArray(out, o + 7 * ld);
        if (!direct) copyOut(tmp, R, L, live, y, y0, ldy);
    }

    /** One output pixel × one vector of channels: the pixels after the last full tile. */
    private static void tile1x1(float[] src, int b0, int kH, int kwc, int rowLen, float[] w, int w0, int ldw,
                                float[] bias, int bj, float[] y, int y0, int live, float[] tmp) {
        FloatVector a = FloatVector.zero(F);
        for (int kh = 0; kh < kH; kh++) {
            int xr = b0 + kh * rowLen, wr = w0 + kh * kwc * ldw;
            for (int t = 0; t < kwc; t++) a = FloatVector.broadcast(F, src[xr + t]).fma(FloatVector.fromArray(F, w, wr + t * ldw), a);
        }
        if (live >= L) {
            a.add(FloatVector.fromArray(F, bias, bj)).intoArray(y, y0);
        } else {
            a.add(FloatVector.fromArray(F, bias, bj)).intoArray(tmp, 0);
            System.arraycopy(tmp, 0, y, y0, live);
        }
    }

    // ---- max pooling ------------------------------------------------------------------------

    /**
     * The common 2×2 window wholly inside the image, taps (0,0), (0,1), (1,0), (1,1) in that order: the
     * general loops' index arithmetic cost more than the four loads (24×24×16 pooled 2×2, Zen 4, 512-bit:
     * 1.46 µs through the general loops, 0.84 µs here; the scalar kernel takes 4.2 µs).
     */
    private static void pool2x2(float[] x, int p, int row, int ch, float[] y, int yo, int yEnd) {
        if (ch < HL && yo + HL <= yEnd && p + row + ch + HL <= x.length) {
            // Few channels (LeNet's 6): one vector per pixel, its padding lanes stored onto the next
            // pixel's channels, which that pixel's own store overwrites (pixels go in ascending order);
            // a 4-lane vector and 2 scalar maxima per pixel took 2.0 µs for LeNet's 28×28×6 pooling.
            FloatVector.fromArray(H, x, p).max(FloatVector.fromArray(H, x, p + ch))
                    .max(FloatVector.fromArray(H, x, p + row)).max(FloatVector.fromArray(H, x, p + row + ch))
                    .intoArray(y, yo);
            return;
        }
        int c = 0;
        for (; c + L <= ch; c += L) {
            FloatVector.fromArray(F, x, p + c).max(FloatVector.fromArray(F, x, p + ch + c))
                    .max(FloatVector.fromArray(F, x, p + row + c)).max(FloatVector.fromArray(F, x, p + row + ch + c))
                    .intoArray(y, yo + c);
        }
        for (; NARROW_TAIL && c + TL <= ch; c += TL) {
            FloatVector.fromArray(T, x, p + c).max(FloatVector.fromArray(T, x, p + ch + c))
                    .max(FloatVector.fromArray(T, x, p + row + c)).max(FloatVector.fromArray(T, x, p + row + ch + c))
                    .intoArray(y, yo + c);
        }
        for (; c < ch; c++) y[yo + c] = Math.max(Math.max(Math.max(x[p + c], x[p + ch + c]), x[p + row + c]), x[p + row + ch + c]);
    }

    /**
     * Vectorised across channels: per output pixel, its first tap inside the image is copied, and each
     * later tap, in kh, kw order, folded in with max (Math.max semantics lane by lane, as the scalar loop).
     */
    static void maxPool2d(int rows, int inH, int inW, int ch, int poolH, int poolW, int strideH, int strideW,
                          int padTop, int padLeft, int outH, int outW, float[] x, int xOff, float[] y, int yOff) {
        int yEnd = yOff + rows * outH * outW * ch;
        for (int img = 0; img < rows; img++) {
            int xi = xOff + img * inH * inW * ch;
            for (int oh = 0; oh < outH; oh++) {
                int h0 = oh * strideH - padTop, khLo = Math.max(0, -h0), khHi = Math.min(poolH, inH - h0);
                for (int ow = 0; ow < outW; ow++) {
                    int w0 = ow * strideW - padLeft, kwLo = Math.max(0, -w0), kwHi = Math.min(poolW, inW - w0);
                    int yo = yOff + ((img * outH + oh) * outW + ow) * ch;
                    int first = xi + ((h0 + khLo) * inW + w0 + kwLo) * ch, c = 0;
                    if (poolH == 2 && poolW == 2 && khLo == 0 && khHi == 2 && kwLo == 0 && kwHi == 2) {
                        pool2x2(x, first, inW * ch, ch, y, yo, yEnd);
                        continue;
                    }
                    for (; c + L <= ch; c += L) {
                        FloatVector m = FloatVector.fromArray(F, x, first + c);
                        for (int kh = khLo; kh < khHi; kh++) {
                            for (int kw = kh == khLo ? kwLo + 1 : kwLo; kw < kwHi; kw++) {
                                m = FloatVector.fromArray(F, x, xi + ((h0 + kh) * inW + w0 + kw) * ch + c).max(m);
                            }
                        }
                        m.intoArray(y, yo + c);
                    }
                    // The channels left after whole vectors go one at a time. A 128-bit loop here boxed its
                    // vectors for good in fresh JVMs whose compile history differed (the convolutional probe:
                    // 800 bytes a call, in a third of its runs), and general windows are rare: the common 2x2
                    // one is pool2x2's.
                    for (; c < ch; c++) {
                        float m = x[first + c];
                        for (int kh = khLo; kh < khHi; kh++) {
                            for (int kw = kh == khLo ? kwLo + 1 : kwLo; kw < kwHi; kw++) {
                                m = Math.max(m, x[xi + ((h0 + kh) * inW + w0 + kw) * ch + c]);
                            }
                        }
                        y[yo + c] = m;
                    }
                }
            }
        }
    }
}
