package lanes.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import lanes.kernels.BatchScheduler;
import lanes.kernels.Gemm;
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
 * Dense GEMM C[M×N] = A[M×K]·B[K×N]; one op is one GEMM, so GFLOP/s = ops/s · 2MNK / 1e9.
 * {@code simd} forks with the Vector API module, {@code scalar} without it, like Lucene's pairs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GemmBench {

    @Param({"1x784x128", "32x784x128", "256x784x128", "1024x1024x1024"})
    public String shape;

    @Param({"1", "2"})
    public int threads;

    private int m, n, k;
    private float[] a, b, c;
    private BatchScheduler scheduler;
    private Gemm gemm;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]);
        k = Integer.parseInt(d[1]);
        n = Integer.parseInt(d[2]);
        SplittableRandom rnd = new SplittableRandom(42);
        a = BenchData.uniform(rnd, m * k);
        b = BenchData.uniform(rnd, k * n);
        c = new float[m * n];
        scheduler = new BatchScheduler(threads);
        gemm = new Gemm(BenchData.kernelsFor(params), scheduler);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchData.checkFinite(c, "C");
        scheduler.close();
    }

    @Benchmark
    @Fork(value = 3, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
    public float[] simd() {
        gemm.matmul(m, n, k, a, 0, k, b, 0, n, c, 0, n, false, false);
        return c;
    }

    @Benchmark
    @Fork(value = 1)
    public float[] scalar() {
        gemm.matmul(m, n, k, a, 0, k, b, 0, n, c, 0, n, false, false);
        return c;
    }
}
