package lanes.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Convolution and pooling geometries for the image kernel tests, and seeded data for them. */
final class ConvCases {
    private ConvCases() {}

    /** Channel counts: 1 (grey images), 3 (RGB), 6 and 16 (LeNet), 17 and 32 (a lane tail, two vectors). */
    static final int[] CHANNELS = {1, 3, 6, 16, 17, 32};
    /** Kernel shapes (kH, kW): 1×1, 5×5, 3×3 and non-square ones. */
    static final int[][] KERNELS = {{1, 1}, {5, 5}, {3, 3}, {3, 2}, {2, 3}, {1, 5}};
    static final int[][] STRIDES = {{1, 1}, {2, 2}, {3, 3}, {1, 2}, {2, 3}, {3, 1}};

    enum Pad { VALID, SAME, ASYMMETRIC, WIDE }

    /** One geometry: images of inH×inW×inC, a kH×kW window, strides, and the pads on all four sides. */
    record Geometry(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int sH, int sW,
                    int top, int left, int bottom, int right) {
        int outH() { return (inH + top + bottom - kH) / sH + 1; }
        int outW() { return (inW + left + right - kW) / sW + 1; }
        int xSize() { return rows * inH * inW * inC; }
        int ySize(int channels) { return rows * outH() * outW() * channels; }
        int kSize() { return kH * kW * inC * outC; }
        /** The same geometry over a different number of images. */
        Geometry withRows(int n) { return new Geometry(n, inH, inW, inC, outC, kH, kW, sH, sW, top, left, bottom, right); }
        @Override public String toString() {
            return rows + "x" + inH + "x" + inW + "x" + inC + " k" + kH + "x" + kW + " s" + sH + "," + sW
                    + " pad " + top + "," + left + "," + bottom + "," + right + " -> " + outH() + "x" + outW() + "x" + outC;
        }
    }

    /** TF/Keras "same" on one axis: {before, after}. */
    static int[] same(int in, int k, int s) {
        int total = Math.max(((in + s - 1) / s - 1) * s + k - in, 0);
        return new int[] {total / 2, total - total / 2};
    }

    /** A geometry with the given padding kind; null when the window does not fit. */
    static Geometry geometry(int rows, int inH, int inW, int inC, int outC, int kH, int kW, int sH, int sW, Pad pad,
                             SplittableRandom r) {
        int t = 0, l = 0, b = 0, rt = 0;
        switch (pad) {
            case VALID -> { }
            case SAME -> { int[] v = same(inH, kH, sH), h = same(inW, kW, sW); t = v[0]; b = v[1]; l = h[0]; rt = h[1]; }
            // pads below the kernel size, drawn per side
            case ASYMMETRIC -> { t = r.nextInt(kH); b = r.nextInt(kH); l = r.nextInt(kW); rt = r.nextInt(kW); }
            // pads as large as the kernel: some windows lie wholly in the padding (convolution only)
            case WIDE -> { t = kH; b = r.nextInt(kH + 1); l = r.nextInt(kW + 1); rt = kW; }
        }
        if (inH + t + b < kH || inW + l + rt < kW) return null;
        return new Geometry(rows, inH, inW, inC, outC, kH, kW, sH, sW, t, l, b, rt);
    }

    /** Convolution geometries: every channel pair, every stride pair, padding kind and kernel, a few real layers. */
    static List<Geometry> convolutions() {
        SplittableRandom r = new SplittableRandom(0xC0DE);
        List<Geometry> list = new ArrayList<>();
        for (int inC : CHANNELS) {
            for (int outC : CHANNELS) {
                int[] k = KERNELS[r.nextInt(KERNELS.length)], s = STRIDES[r.nextInt(STRIDES.length)];
                add(list, r, 1 + r.nextInt(2), inC, outC, k, s, Pad.values()[r.nextInt(Pad.values().length)], 12);
            }
        }
        for (int[] s : STRIDES) {
            for (Pad pad : Pad.values()) {
                for (int[] k : KERNELS) {
                    add(list, r, 1 + r.nextInt(2), CHANNELS[r.nextInt(CHANNELS.length)], CHANNELS[r.nextInt(CHANNELS.length)], k, s, pad, 11);
                }
            }
        }
        // a 1-channel image at column stride 1 into 1..8 channels (the kernels' row-wise path, six channels
        // at a time then pairs), narrower than a vector and wider than two
        for (int outC = 1; outC <= 8; outC++) {
            for (int width : new int[] {13, 37}) {
                Geometry g = geometry(1 + r.nextInt(2), 9, width, 1, outC, 1 + r.nextInt(5), 1 + r.nextInt(5),
                        1 + r.nextInt(2), 1, Pad.values()[r.nextInt(Pad.values().length)], r);
                if (g != null) list.add(g);
            }
        }
        // MNIST CNN layers, LeNet-5's, a strided "same" one
        list.add(new Geometry(2, 28, 28, 1, 16, 5, 5, 1, 1, 0, 0, 0, 0));
        list.add(new Geometry(2, 12, 12, 16, 32, 5, 5, 1, 1, 0, 0, 0, 0));
        list.add(new Geometry(1, 28, 28, 1, 6, 5, 5, 1, 1, 2, 2, 2, 2));
        list.add(new Geometry(1, 14, 14, 6, 16, 5, 5, 1, 1, 0, 0, 0, 0));
        list.add(new Geometry(1, 13, 13, 17, 32, 3, 3, 2, 2, 1, 1, 1, 1));
        return list;
    }

    private static void add(List<Geometry> list, SplittableRandom r, int rows, int inC, int outC, int[] k, int[] s, Pad pad, int maxSize) {
        while (true) {
            Geometry g = geometry(rows, 1 + r.nextInt(maxSize), 1 + r.nextInt(maxSize), inC, outC, k[0], k[1], s[0], s[1], pad, r);
            if (g != null) { list.add(g); return; }
        }
    }

    /** Pooling geometries (outC unused): windows 1×1 to 3×3, every stride pair, pads below the window. */
    static List<Geometry> pools() {
        SplittableRandom r = new SplittableRandom(0xB001);
        int[][] windows = {{1, 1}, {2, 2}, {3, 3}, {2, 3}, {3, 2}};
        List<Geometry> list = new ArrayList<>();
        for (int[] w : windows) {
            for (int[] s : STRIDES) {
                for (Pad pad : new Pad[] {Pad.VALID, Pad.SAME, Pad.ASYMMETRIC}) {
                    int ch = CHANNELS[r.nextInt(CHANNELS.length)];
                    add(list, r, 1 + r.nextInt(2), ch, ch, w, s, pad, 13);
                }
            }
        }
        for (int ch : CHANNELS) list.add(new Geometry(2, 24, 24, ch, ch, 2, 2, 2, 2, 0, 0, 0, 0));
        list.add(new Geometry(1, 5, 5, 33, 33, 3, 3, 2, 2, 1, 1, 1, 1));
        return list;
    }

    /**
     * n values, about a third of them zero (a sixth −0), the rest ±[0.05, 1.05) scaled by 2^-6..2^6:
     * the zeros exercise skipping, the exponents the rounding.
     */
    static float[] data(SplittableRandom r, int off, int n, int tail) {
        float[] x = new float[off + n + tail];
        Arrays.fill(x, 9.75f);
        for (int i = 0; i < n; i++) {
            int pick = r.nextInt(6);
            x[off + i] = pick == 0 ? 0f : pick == 1 ? -0f : Math.scalb(TestSupport.nonZero(r), r.nextInt(13) - 6);
        }
        return x;
    }

    /**
     * rows images like digits on a background: zero except in one random rectangle of each, filled as
     * {@link #data}, so that whole rows of a window are zero.
     */
    static float[] digits(SplittableRandom r, int off, Geometry g, int tail) {
        float[] x = data(r, off, g.xSize(), tail);
        for (int img = 0; img < g.rows(); img++) {
            int h0 = r.nextInt(g.inH()), h1 = h0 + r.nextInt(g.inH() - h0 + 1), w0 = r.nextInt(g.inW()), w1 = w0 + r.nextInt(g.inW() - w0 + 1);
            for (int h = 0; h < g.inH(); h++) {
                for (int w = 0; w < g.inW(); w++) {
                    if (h >= h0 && h < h1 && w >= w0 && w < w1) continue;
                    int p = off + ((img * g.inH() + h) * g.inW() + w) * g.inC();
                    java.util.Arrays.fill(x, p, p + g.inC(), 0f);
                }
            }
        }
        return x;
    }
}
