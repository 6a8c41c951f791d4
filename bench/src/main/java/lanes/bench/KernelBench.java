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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Softmax (+ cross-entropy), ReLU and Adam, scalar vs SIMD pairs on the sizes training uses:
 * softmax over a batch of 32 rows of {@code classes}, ReLU over 32×128 activations, Adam over
 * the 101,770 parameters of the 784-128-10 model.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KernelBench {

    @Param({"10", "1000"})
    public int classes;

    private static final int ROWS = 32, RELU_N = 32 * 128, PARAMS = 784 * 128 + 128 + 128 * 10 + 10;

    private Kernels kernels;
    private float[] logits, probs, act, out, dAct, param, grad, m, v;
    private int[] labels;
    private long step;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        kernels = BenchData.kernelsFor(params);
        SplittableRandom rnd = new SplittableRandom(7);
        logits = BenchData.uniform(rnd, ROWS * classes);
        for (int i = 0; i < logits.length; i++) logits[i] *= 10;
        probs = new float[ROWS * classes];
        labels = rnd.ints(ROWS, 0, classes).toArray();
        act = BenchData.uniform(rnd, RELU_N);
        out = new float[RELU_N];
        dAct = BenchData.uniform(rnd, RELU_N);
        param = BenchData.uniform(rnd, PARAMS);
        grad = BenchData.uniform(rnd, PARAMS);
        m = new float[PARAMS];
        v = new float[PARAMS];
        step = 0;
    }

    private double softmaxLoss() {
        return kernels.softmaxCrossEntropy(ROWS, classes, logits, 0, labels, 0, probs, 0, probs, 0, 1f / ROWS);
    }

    private float[] relu() {
        kernels.reluForward(RELU_N, act, 0, out, 0);
        kernels.reluBackward(RELU_N, out, 0, dAct, 0, out, 0);
        return out;
    }

    private float[] adam() {
        kernels.adam(PARAMS, param, 0, grad, 0, m, 0, v, 0, 1e-3f, 0.9f, 0.999f, 1e-7f, ++step);
        return param;
    }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public double softmaxCrossEntropySimd() { return softmaxLoss(); }

    @Benchmark @Fork(1)
    public double softmaxCrossEntropyScalar() { return softmaxLoss(); }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public float[] reluSimd() { return relu(); }

    @Benchmark @Fork(1)
    public float[] reluScalar() { return relu(); }

    @Benchmark @Fork(value = 2, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
    public float[] adamSimd() { return adam(); }

    @Benchmark @Fork(1)
    public float[] adamScalar() { return adam(); }
}
