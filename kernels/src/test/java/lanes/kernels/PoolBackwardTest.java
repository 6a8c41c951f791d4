package lanes.kernels;

import static lanes.kernels.TestSupport.assertBitsEqual;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * maxPool2dBackward against a naive oracle, both implementations bit for bit: ties (few distinct values,
 * ±0 among them) make "the first equal tap" matter, channel counts hit the vector loop and its tail,
 * and sizes that pool leaves a remainder of leave cells outside every window. dx starts as NaN, so a
 * cell the kernel forgets fails.
 */
class PoolBackwardTest {

    record Shape(int rows, int h, int w, int channels, int pool) {}

    static List<Shape> shapes() {
        List<Shape> all = new ArrayList<>();
        for (int c : new int[] {1, 3, 16, 17, 32, 40}) {
            for (int pool : new int[] {1, 2, 3}) {
                for (int hw : new int[] {3, 4, 7, 24}) all.add(new Shape(hw % 2 + 1, hw, hw + pool - 1, c, pool));
            }
        }
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void routesEachGradientToTheFirstTapHoldingTheMaximum(Shape s) {
        SplittableRandom r = new SplittableRandom(s.hashCode());
        int xOff = 3, yOff = 1, dyOff = 2, dxOff = 5;
        int outH = s.h() / s.pool(), outW = s.w() / s.pool(), in = s.rows() * s.h() * s.w() * s.channels();
        int out = s.rows() * outH * outW * s.channels();
        float[] levels = {-0f, 0f, 0.5f, -1f, 2f};
        float[] x = new float[xOff + in];
        for (int i = xOff; i < x.length; i++) x[i] = levels[r.nextInt(levels.length)];
        float[] y = new float[yOff + out], dy = new float[dyOff + out];
        TestSupport.scalar().maxPool2d(s.rows(), s.h(), s.w(), s.channels(), s.pool(), s.pool(), s.pool(), s.pool(), 0, 0,
                outH, outW, x, xOff, y, yOff);
        for (int i = dyOff; i < dy.length; i++) dy[i] = TestSupport.nonZero(r);
        float[] expected = new float[dxOff + in + 4];
        Arrays.fill(expected, Float.NaN);
        Arrays.fill(expected, dxOff, dxOff + in, 0f);
        int rowStride = s.w() * s.channels();
        for (int b = 0; b < s.rows(); b++) {
            for (int oh = 0; oh < outH; oh++) {
                for (int ow = 0; ow < outW; ow++) {
                    for (int c = 0; c < s.channels(); c++) {
                        int o = ((b * outH + oh) * outW + ow) * s.channels() + c;
                        found:
                        for (int kh = 0; kh < s.pool(); kh++) {
                            for (int kw = 0; kw < s.pool(); kw++) {
                                int tap = b * s.h() * rowStride + (oh * s.pool() + kh) * rowStride + (ow * s.pool() + kw) * s.channels() + c;
                                if (Float.floatToRawIntBits(x[xOff + tap]) == Float.floatToRawIntBits(y[yOff + o])) {
                                    expected[dxOff + tap] = dy[dyOff + o];
                                    break found;
                                }
                            }
                        }
                    }
                }
            }
        }
        for (Kernels k : TestSupport.implementations()) {
            float[] dx = new float[expected.length];
            Arrays.fill(dx, Float.NaN);
            k.maxPool2dBackward(s.rows(), s.h(), s.w(), s.channels(), s.pool(), x, xOff, y, yOff, dy, dyOff, dx, dxOff);
            assertBitsEqual(expected, dx, k.name() + " " + s);
        }
    }

    @Test
    void operandsAreChecked() {
        for (Kernels k : TestSupport.implementations()) {
            float[] x = new float[16], y = new float[4], dy = new float[4], dx = new float[16];
            k.maxPool2dBackward(1, 4, 4, 1, 2, x, 0, y, 0, dy, 0, dx, 0);
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2dBackward(1, 4, 4, 1, 2, x, 0, y, 0, dy, 1, dx, 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2dBackward(1, 4, 4, 1, 2, x, 0, y, 0, dy, 0, new float[15], 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2dBackward(1, 4, 4, 1, 0, x, 0, y, 0, dy, 0, dx, 0));
            assertThrows(IllegalArgumentException.class, () -> k.maxPool2dBackward(1, 1, 4, 1, 2, x, 0, y, 0, dy, 0, dx, 0));
        }
    }
}
