package lanes.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lanes.kernels.Kernels;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One image through the convolution layers of the small MNIST CNN ({@code cnn1}: 28×28×1 → 16 of 5×5;
 * {@code cnn2}: 12×12×16 → 32 of 5×5) and LeNet-5 ({@code lenet1}: 28×28×1 → 6 of 5×5, "same";
 * {@code lenet2}: 14×14×6 → 16 of 5×5), and the 2×2 max pooling after the first. One op is one call;
 * GFLOP/s = 2·pixels·taps·outC / (ns per op). {@code gemmSimd} runs the existing GEMM on the same
 * M×N×K (pixels × outC × taps) from a ready im2col matrix: the efficiency the convolution is compared to.
 * Inputs are 80% zeros for the first layers (MNIST digits are) and 50% for the second (after ReLU).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ConvBench {

    @Param({"cnn1", "cnn2", "lenet1", "lenet2"})
    public String layer;

    private Kernels kernels;
    private int inH, inW, inC, outC, k, pad, outH, outW;
    private float[] x, kernel, bias, y, im2col, c, pooled;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        kernels = BenchData.kernelsFor(params);
        switch (layer) {
            case "cnn1" -> geometry(28, 1, 16, 0);
            case "cnn2" -> geometry(12, 16, 32, 0);
            case "lenet1" -> geometry(28, 1, 6, 2);
            case "lenet2" -> geometry(14, 6, 16, 0);
            default -> throw new IllegalArgumentException(layer);
        }
        SplittableRandom rnd = new SplittableRandom(3);
        double zeros = inC == 1 ? 0.8 : 0.5;
        x = new float[inH * inW * inC];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextDouble() < zeros ? 0f : (float) rnd.nextDouble();
        kernel = BenchData.uniform(rnd, k * k * inC * outC);
        bias = BenchData.uniform(rnd, outC);
        y = new float[outH * outW * outC];
        int taps = k * k * inC;
        im2col = new float[outH * outW * taps];
        for (int oh = 0; oh < outH; oh++) {
            for (int ow = 0; ow < outW; ow++) {
                for (int t = 0; t < taps; t++) {
                    int kh = t / (k * inC), kw = t / inC % k, ic = t % inC, ih = oh - pad + kh, iw = ow - pad + kw;
                    boolean inside = ih >= 0 && ih < inH && iw >= 0 && iw < inW;
                    im2col[(oh * outW + ow) * taps + t] = inside ? x[(ih * inW + iw) * inC + ic] : 0f;
                }
            }
        }
        c = new float[outH * outW * outC];
        pooled = new float[(outH / 2) * (outW / 2) * outC];
    }

    private void geometry(int size, int inC, int outC, int pad) {
        this.inH = size;
        this.inW = size;
        this.inC = inC;
        this.outC = outC;
        this.k = 5;
        this.pad = pad;
        this.outH = size + 2 * pad - k + 1;
        this.outW = outH;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.checkFinite(y, "y");
        BenchData.checkFinite(pooled, "pooled");
    }

    private float[] conv() {
        kernels.conv2d(1, inH, inW, inC, outC, k, k, 1, 1, pad, pad, outH, outW, x, 0, kernel, 0, bias, 0, y, 0);
        return y;
    }

    private float[] pool() {
        kernels.maxPool2d(1, outH, outW, outC, 2, 2, 2, 2, 0, 0, outH / 2, outW / 2, y, 0, pooled, 0);
        return pooled;
    }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public float[] convSimd() { return conv(); }

    @Benchmark @Fork(1)
    public float[] convScalar() { return conv(); }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public float[] gemmSimd() {
        int taps = k * k * inC;
        kernels.matmul(outH * outW, outC, taps, im2col, 0, taps, kernel, 0, outC, c, 0, outC, false);
        return c;
    }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public float[] maxPoolSimd() { return pool(); }

    @Benchmark @Fork(1)
    public float[] maxPoolScalar() { return pool(); }
}
