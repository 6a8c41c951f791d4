package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import lanes.kernels.ConvCases.Geometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** maxPool2d against the oracle over windows, strides and pads; SIMD = scalar; ±0 and NaN as Math.max. */
class PoolTest {

    private static final float Y_PAD = -555.5f;

    private static float[] run(Kernels kern, Geometry g, float[] x, int xOff, int yOff, int yTail) {
        float[] y = new float[yOff + g.ySize(g.inC()) + yTail];
        java.util.Arrays.fill(y, Y_PAD);
        kern.maxPool2d(g.rows(), g.inH(), g.inW(), g.inC(), g.kH(), g.kW(), g.sH(), g.sW(), g.top(), g.left(),
                g.outH(), g.outW(), x, xOff, y, yOff);
        return y;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void maxPool2dMatchesTheReference(Kernels kern) {
        SplittableRandom r = new SplittableRandom(31);
        for (Geometry g : ConvCases.pools()) {
            int xOff = r.nextInt(5), yOff = r.nextInt(5);
            float[] x = ConvCases.data(r, xOff, g.xSize(), r.nextInt(4)), before = x.clone();
            float[] y = run(kern, g, x, xOff, yOff, 3);
            float[] ref = NaiveReference.maxPool2d(g.rows(), g.inH(), g.inW(), g.inC(), g.kH(), g.kW(), g.sH(), g.sW(),
                    g.top(), g.left(), g.outH(), g.outW(), x, xOff);
            for (int i = 0; i < ref.length; i++) {
                if (y[yOff + i] != ref[i]) fail(kern.name() + " " + g + ": y[" + i + "] = " + y[yOff + i] + ", reference " + ref[i]);
            }
            for (int i = 0; i < y.length; i++) {
                if ((i < yOff || i >= yOff + ref.length) && y[i] != Y_PAD) fail(kern.name() + " " + g + ": wrote y[" + i + "] outside the output");
            }
            assertBitsEqual(before, x, g + ": x is read-only");
        }
    }

    @Test
    void vectorMaxPool2dEqualsScalarBitForBit() {
        Kernels vector = TestSupport.vectorOrSkip(), scalar = TestSupport.scalar();
        SplittableRandom r = new SplittableRandom(32);
        for (Geometry g : ConvCases.pools()) {
            int xOff = r.nextInt(5), yOff = r.nextInt(5);
            float[] x = ConvCases.data(r, xOff, g.xSize(), 2);
            assertBitsEqual(run(scalar, g, x, xOff, yOff, 2), run(vector, g, x, xOff, yOff, 2), vector.name() + " " + g);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lanes.kernels.TestSupport#implementationStream")
    void positiveZeroBeatsNegativeZeroAndNaNWins(Kernels kern) {
        // 1×4 image, 33 channels (every lane tail), pooled 1×2 with stride 2: two windows
        int ch = 33;
        float[] x = new float[4 * ch];
        for (int c = 0; c < ch; c++) {
            x[c] = -0f; x[ch + c] = 0f;                       // window 0: -0 then +0
            x[2 * ch + c] = c % 2 == 0 ? Float.NaN : 1f;       // window 1: NaN in even channels
            x[3 * ch + c] = 2f;
        }
        float[] y = new float[2 * ch];
        kern.maxPool2d(1, 1, 4, ch, 1, 2, 1, 2, 0, 0, 1, 2, x, 0, y, 0);
        for (int c = 0; c < ch; c++) {
            assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(y[c]), "+0 beats -0, channel " + c);
            if (c % 2 == 0) assertTrue(Float.isNaN(y[ch + c]), "NaN propagates, channel " + c);
            else assertEquals(2f, y[ch + c], "channel " + c);
        }
    }
}
