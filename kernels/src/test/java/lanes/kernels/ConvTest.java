package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.SplittableRandom;
import lanes.kernels.ConvCases.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * conv2d against the double-precision oracle over every channel count, stride, padding kind and kernel
 * shape of {@link ConvCases}, and its guarantees: SIMD = scalar and any split of the images = all at once,
 * bit for bit, nothing written outside y.
 */
class ConvTest {

    private static final float U = 0x1p-24f;
    private static final float Y_PAD = -555.5f;

    /** Operands of one call, at offsets, with y surrounded by {@link #Y_PAD}. */
    record Operands(Geometry g, float[] x, int xOff, float[] kernel, int kOff, float[] bias, int bOff, int yOff, int yTail) {
        static Operands of(Geometry g, SplittableRandom r) {
            int xOff = r.nextInt(5), kOff = r.nextInt(5), bOff = r.nextInt(5);
            return new Operands(g, ConvCases.data(r, xOff, g.xSize(), r.nextInt(4)),
                    xOff, ConvCases.data(r, kOff, g.kSize(), r.nextInt(4)), kOff,
                    ConvCases.data(r, bOff, g.outC(), r.nextInt(3)), bOff, r.nextInt(5), r.nextInt(4));
        }

        float[] run(Kernels kern) {
            float[] y = new float[yOff + g.ySize(g.outC()) + yTail];
            java.util.Arrays.fill(y, Y_PAD);
            kern.conv2d(g.rows(), g.inH(), g.inW(), g.inC(), g.outC(), g.kH(), g.kW(), g.sH(), g.sW(), g.top(), g.left(),
                    g.outH(), g.outW(), x, xOff, kernel, kOff, bias, bOff, y, yOff);
            return y;
        }
    }

    static List<Geometry> convolutions() {
        return ConvCases.convolutions();
    }

    @Test
    void theCasesCoverEveryChannelCountStrideAndPadding() {
        List<Geometry> all = convolutions();
        for (int c : ConvCases.CHANNELS) {
            assertTrue(all.stream().anyMatch(g -> g.inC() == c), "inC " + c);
            assertTrue(all.stream().anyMatch(g -> g.outC() == c), "outC " + c);
        }
        for (int[] s : ConvCases.STRIDES) assertTrue(all.stream().anyMatch(g -> g.sH() == s[0] && g.sW() == s[1]), "strides");
        for (int[] k : ConvCases.KERNELS) assertTrue(all.stream().anyMatch(g -> g.kH() == k[0] && g.kW() == k[1]), "kernel");
        assertTrue(all.stream().anyMatch(g -> g.top() != g.bottom() || g.left() != g.right()), "asymmetric pads");
        assertTrue(all.stream().anyMatch(g -> g.top() >= g.kH()), "windows wholly in the padding");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void conv2dMatchesTheReference(Kernels kern) {
        SplittableRandom r = new SplittableRandom(2024);
        boolean digits = false;
        for (Geometry g : convolutions()) {
            Operands o = Operands.of(g, r);
            if (digits = !digits) o = new Operands(g, ConvCases.digits(r, o.xOff, g, 1), o.xOff, o.kernel, o.kOff, o.bias, o.bOff, o.yOff, o.yTail);
            float[] xBefore = o.x.clone(), kBefore = o.kernel.clone(), bBefore = o.bias.clone();
            float[] y = o.run(kern);
            double[][] ref = NaiveReference.conv2d(g.rows(), g.inH(), g.inW(), g.inC(), g.outC(), g.kH(), g.kW(), g.sH(), g.sW(),
                    g.top(), g.left(), g.outH(), g.outW(), o.x, o.xOff, o.kernel, o.kOff, o.bias, o.bOff);
            // a sum of kH·kW·inC fma steps and one addition
            int steps = g.kH() * g.kW() * g.inC() + 1;
            double gamma = steps * (double) U / (1 - steps * (double) U);
            for (int i = 0; i < ref[0].length; i++) {
                float got = y[o.yOff + i];
                if (!Float.isFinite(got) || Math.abs(got - ref[0][i]) > gamma * ref[1][i] * 1.0001 + Double.MIN_NORMAL) {
                    fail(kern.name() + " " + g + ": y[" + i + "] = " + got + ", reference " + ref[0][i] + " (tolerance " + gamma * ref[1][i] + ")");
                }
            }
            for (int i = 0; i < y.length; i++) {
                if ((i < o.yOff || i >= o.yOff + ref[0].length) && y[i] != Y_PAD) fail(kern.name() + " " + g + ": wrote y[" + i + "] outside the output");
            }
            assertBitsEqual(xBefore, o.x, g + ": x is read-only");
            assertBitsEqual(kBefore, o.kernel, g + ": kernel is read-only");
            assertBitsEqual(bBefore, o.bias, g + ": bias is read-only");
        }
    }

    @Test
    void vectorConv2dEqualsScalarBitForBit() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(77);
        for (Geometry g : convolutions()) {
            Operands o = Operands.of(g, r);
            assertBitsEqual(o.run(scalar), o.run(vector), vector.name() + " vs scalar, " + g);
        }
    }

    /** Digit-like images, zero outside a rectangle: long runs of skipped taps in the scalar kernel. */
    @Test
    void vectorConv2dEqualsScalarBitForBitOnMostlyZeroImages() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(78);
        for (Geometry g : convolutions()) {
            Operands o = Operands.of(g, r);
            Operands sparse = new Operands(g, ConvCases.digits(r, o.xOff, g, 2), o.xOff, o.kernel, o.kOff, o.bias, o.bOff, o.yOff, o.yTail);
            assertBitsEqual(sparse.run(scalar), sparse.run(vector), vector.name() + " vs scalar, mostly zero, " + g);
        }
    }

    /**
     * conv2dReluPool is conv2d, reluForward and a 2×2 stride-2 maxPool2d in a row, bit for bit, in every
     * implementation: on every geometry with a 2×2 window to pool, on the fused path's own (a 1-channel
     * image at column stride 1 into 3 to 6 filters, one and two strips wide), on digit-like images, and
     * with a NaN in some images. Nothing outside y's pooled output is written.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void convReluPoolIsTheThreeKernelsBitForBit(Kernels kern) {
        SplittableRandom r = new SplittableRandom(80);
        List<Geometry> cases = new java.util.ArrayList<>(convolutions());
        for (int outC = 1; outC <= 8; outC++) {
            for (int width : new int[] {7, 28, 45, 70}) {
                Geometry g = ConvCases.geometry(1 + r.nextInt(2), 6 + r.nextInt(24), width, 1, outC, 1 + r.nextInt(5),
                        1 + r.nextInt(5), 1 + r.nextInt(2), 1, ConvCases.Pad.values()[r.nextInt(ConvCases.Pad.values().length)], r);
                if (g != null) cases.add(g);
            }
        }
        int checked = 0;
        Kernels.Workspace ws = new Kernels.Workspace();
        for (Geometry g : cases) {
            if (g.outH() < 2 || g.outW() < 2) continue;
            Operands o = Operands.of(g, r);
            float[] x = r.nextBoolean() ? o.x : ConvCases.digits(r, o.xOff, g, 2);
            if (r.nextInt(5) == 0) x[o.xOff + r.nextInt(g.xSize())] = Float.NaN;
            int ph = g.outH() / 2, pw = g.outW() / 2, pooled = g.rows() * ph * pw * g.outC();
            float[] conv = new float[g.rows() * g.outH() * g.outW() * g.outC()];
            kern.conv2d(g.rows(), g.inH(), g.inW(), g.inC(), g.outC(), g.kH(), g.kW(), g.sH(), g.sW(), g.top(), g.left(),
                    g.outH(), g.outW(), x, o.xOff, o.kernel, o.kOff, o.bias, o.bOff, conv, 0);
            kern.reluForward(conv.length, conv, 0, conv, 0);
            float[] expected = new float[o.yOff + pooled + o.yTail], got = new float[expected.length];
            java.util.Arrays.fill(expected, Y_PAD);
            java.util.Arrays.fill(got, Y_PAD);
            kern.maxPool2d(g.rows(), g.outH(), g.outW(), g.outC(), 2, 2, 2, 2, 0, 0, ph, pw, conv, 0, expected, o.yOff);
            kern.conv2dReluPool(g.rows(), g.inH(), g.inW(), g.inC(), g.outC(), g.kH(), g.kW(), g.sH(), g.sW(), g.top(), g.left(),
                    g.outH(), g.outW(), x, o.xOff, o.kernel, o.kOff, o.bias, o.bOff, got, o.yOff, ws);
            assertBitsEqual(expected, got, kern.name() + ", conv, relu and pool in one call, " + g);
            checked++;
        }
        assertTrue(checked > 100, "only " + checked + " geometries");
    }

    /** The fused path and the scalar kernels agree bit for bit (the scalar kernels run the three calls). */
    @Test
    void vectorConvReluPoolEqualsScalarBitForBit() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(81);
        for (int outC = 3; outC <= 6; outC++) {
            for (int width : new int[] {14, 28, 40}) {
                Geometry g = ConvCases.geometry(2, 28, width, 1, outC, 5, 5, 1, 1, r.nextBoolean() ? ConvCases.Pad.SAME : ConvCases.Pad.VALID, r);
                Operands o = Operands.of(g, r);
                float[] x = ConvCases.digits(r, o.xOff, g, 2);
                int pooled = g.rows() * (g.outH() / 2) * (g.outW() / 2) * outC;
                float[] a = new float[o.yOff + pooled], b = new float[a.length];
                vector.conv2dReluPool(g.rows(), g.inH(), g.inW(), 1, outC, 5, 5, 1, 1, g.top(), g.left(), g.outH(), g.outW(),
                        x, o.xOff, o.kernel, o.kOff, o.bias, o.bOff, a, o.yOff, new Kernels.Workspace());
                scalar.conv2dReluPool(g.rows(), g.inH(), g.inW(), 1, outC, 5, 5, 1, 1, g.top(), g.left(), g.outH(), g.outW(),
                        x, o.xOff, o.kernel, o.kOff, o.bias, o.bOff, b, o.yOff, new Kernels.Workspace());
                assertBitsEqual(b, a, vector.name() + " vs scalar, conv, relu and pool, " + g);
            }
        }
    }

    /** Images are independent: computing them one call each (as threads would) gives the same bits. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void anySplitOfTheImagesGivesTheSameBits(Kernels kern) {
        SplittableRandom r = new SplittableRandom(5);
        for (Geometry one : convolutions()) {
            if (one.rows() != 1) continue;
            Geometry g = one.withRows(4);
            Operands o = Operands.of(g, r);
            float[] all = o.run(kern);
            int xs = one.xSize(), ys = one.ySize(g.outC());
            for (int split : new int[] {1, 3}) {
                float[] parts = new float[all.length];
                java.util.Arrays.fill(parts, Y_PAD);
                for (int img = 0; img < 4; img += split) {
                    int n = Math.min(split, 4 - img);
                    kern.conv2d(n, g.inH(), g.inW(), g.inC(), g.outC(), g.kH(), g.kW(), g.sH(), g.sW(), g.top(), g.left(),
                            g.outH(), g.outW(), o.x, o.xOff + img * xs, o.kernel, o.kOff, o.bias, o.bOff, parts, o.yOff + img * ys);
                }
                assertBitsEqual(all, parts, kern.name() + " " + g + " in calls of " + split);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void aWindowWhollyInThePaddingGivesTheBias(Kernels kern) {
        // 1×1 kernel, one pixel of padding on every side: the border of the 4×4 output is the bias alone
        float[] x = {2f, 3f, 5f, 7f}, kernel = {10f, -1f}, bias = {0.5f, -0.25f}, y = new float[4 * 4 * 2];
        kern.conv2d(1, 2, 2, 1, 2, 1, 1, 1, 1, 1, 1, 4, 4, x, 0, kernel, 0, bias, 0, y, 0);
        for (int oh = 0; oh < 4; oh++) {
            for (int ow = 0; ow < 4; ow++) {
                boolean inside = oh >= 1 && oh <= 2 && ow >= 1 && ow <= 2;
                float v = inside ? x[(oh - 1) * 2 + ow - 1] : 0f;
                assertEquals(v * 10f + 0.5f, y[(oh * 4 + ow) * 2], "(" + oh + "," + ow + ") channel 0");
                assertEquals(-v + -0.25f, y[(oh * 4 + ow) * 2 + 1], "(" + oh + "," + ow + ") channel 1");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void aNaNInputReachesEveryOutputItsWindowsCover(Kernels kern) {
        Geometry g = new Geometry(1, 6, 7, 3, 17, 3, 3, 1, 1, 1, 1, 1, 1);
        Operands o = Operands.of(g, new SplittableRandom(9));
        int ih = 2, iw = 4;
        o.x[o.xOff + (ih * g.inW() + iw) * g.inC() + 1] = Float.NaN;
        float[] y = o.run(kern);
        for (int oh = 0; oh < g.outH(); oh++) {
            for (int ow = 0; ow < g.outW(); ow++) {
                boolean covers = Math.abs(oh - ih) <= 1 && Math.abs(ow - iw) <= 1;
                for (int oc = 0; oc < g.outC(); oc++) {
                    assertEquals(covers, Float.isNaN(y[o.yOff + (oh * g.outW() + ow) * g.outC() + oc]), "(" + oh + "," + ow + "," + oc + ")");
                }
            }
        }
    }
}
