package lanes.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one core of the machine can do, as the kernels would meet it: the ceiling every speed target is
 * measured against. The fma figures are nanoseconds per fused multiply-add instruction (of 16 lanes at 512
 * bits, 8 at 256), so {@code lanes / score} is the multiply-adds per nanosecond a kernel could reach at best;
 * the line figures are nanoseconds per 64 bytes read.
 * <ul>
 *   <li>{@code fma512}, {@code fma256}: twelve independent accumulators, operands in registers: pure fma
 *       throughput (twelve chains hide the fma latency).</li>
 *   <li>{@code row512}: the single-image dense layer's inner step from L1: one broadcast input times a
 *       128-float row of weights (8 loads, 8 fma), 16 rows that stay in L1.</li>
 *   <li>{@code chain512}: one fma chain, each fma waiting for the last: the latency that a layer's sum in
 *       k order pays per step (the 128 → 10 output layer is one such chain).</li>
 *   <li>{@code lineL1}, {@code lineL2}: nanoseconds per 64 bytes read in order, one 512-bit load each (at
 *       whatever alignment the heap gives the array, as for the weights): from a 16 KiB block that stays in
 *       L1, and from 600-line windows (the bf16 rows of an average digit's 150 non-zero pixels) walking
 *       through 188 KiB, about the size of the fast MLP's first layer in bf16 (196 KiB), so each window
 *       comes from L2. No single-image first layer can move its rows faster than this.</li>
 * </ul>
 * <pre>tools/bench PeakBench -f 1 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = "--add-modules=jdk.incubator.vector")
public class PeakBench {
    private static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final int STEPS = 4096;

    // tiny values: the sums stay finite and normal, so no slow path for denormals or infinities
    private final float[] w = filled(64, 1e-9f);
    private final float[] rows = filled(16 * 128, 1e-9f);
    // 5 windows of 600 lines (16 ints a line): each is read again only after 150 KB more, out of L1's reach
    private static final int LINES = 600, WINDOWS = 5;
    private final int[] l2 = new int[WINDOWS * LINES * 16];
    private final int[] l1 = new int[256 * 16];
    private int window;

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = v * (1 + i % 7);
        return a;
    }

    @Benchmark
    @OperationsPerInvocation(STEPS * 12)
    public float fma512() {
        FloatVector x = FloatVector.fromArray(F512, w, 0), y = FloatVector.fromArray(F512, w, 16);
        FloatVector a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y, a8 = x, a9 = y, a10 = x, a11 = y;
        for (int i = 0; i < STEPS; i++) {
            a0 = x.fma(y, a0); a1 = x.fma(y, a1); a2 = x.fma(y, a2); a3 = x.fma(y, a3);
            a4 = x.fma(y, a4); a5 = x.fma(y, a5); a6 = x.fma(y, a6); a7 = x.fma(y, a7);
            a8 = x.fma(y, a8); a9 = x.fma(y, a9); a10 = x.fma(y, a10); a11 = x.fma(y, a11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    // fma512's loop again on the other species: a species passed as an argument, not a constant, would
    // take the Vector API's slow path and measure that instead
    @Benchmark
    @OperationsPerInvocation(STEPS * 12)
    public float fma256() {
        FloatVector x = FloatVector.fromArray(F256, w, 0), y = FloatVector.fromArray(F256, w, 8);
        FloatVector a0 = x, a1 = y, a2 = x, a3 = y, a4 = x, a5 = y, a6 = x, a7 = y, a8 = x, a9 = y, a10 = x, a11 = y;
        for (int i = 0; i < STEPS; i++) {
            a0 = x.fma(y, a0); a1 = x.fma(y, a1); a2 = x.fma(y, a2); a3 = x.fma(y, a3);
            a4 = x.fma(y, a4); a5 = x.fma(y, a5); a6 = x.fma(y, a6); a7 = x.fma(y, a7);
            a8 = x.fma(y, a8); a9 = x.fma(y, a9); a10 = x.fma(y, a10); a11 = x.fma(y, a11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(STEPS * 8)
    public float row512() {
        FloatVector z = FloatVector.zero(F512);
        FloatVector a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z;
        for (int i = 0; i < STEPS; i++) {
            int r = (i & 15) * 128;
            FloatVector s = FloatVector.broadcast(F512, w[i & 63]);
            a0 = s.fma(FloatVector.fromArray(F512, rows, r), a0); a1 = s.fma(FloatVector.fromArray(F512, rows, r + 16), a1);
            a2 = s.fma(FloatVector.fromArray(F512, rows, r + 32), a2); a3 = s.fma(FloatVector.fromArray(F512, rows, r + 48), a3);
            a4 = s.fma(FloatVector.fromArray(F512, rows, r + 64), a4); a5 = s.fma(FloatVector.fromArray(F512, rows, r + 80), a5);
            a6 = s.fma(FloatVector.fromArray(F512, rows, r + 96), a6); a7 = s.fma(FloatVector.fromArray(F512, rows, r + 112), a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public float chain512() {
        FloatVector x = FloatVector.fromArray(F512, w, 0), y = FloatVector.fromArray(F512, w, 16), a = x;
        for (int i = 0; i < STEPS; i++) a = x.fma(y, a);
        return a.reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public int lineL1() {
        return lines(l1, 0, 256);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public int lineL2() {
        int s = window;
        window = s == WINDOWS - 1 ? 0 : s + 1;
        return lines(l2, s * LINES * 16, LINES);
    }

    /** ORs every int of the lines from {@code start}: four independent chains, so the loads set the pace. */
    private static int lines(int[] a, int start, int count) {
        IntVector o0 = IntVector.zero(I512), o1 = o0, o2 = o0, o3 = o0;
        for (int i = start, end = start + count * 16; i < end; i += 64) {
            o0 = o0.or(IntVector.fromArray(I512, a, i)); o1 = o1.or(IntVector.fromArray(I512, a, i + 16));
            o2 = o2.or(IntVector.fromArray(I512, a, i + 32)); o3 = o3.or(IntVector.fromArray(I512, a, i + 48));
        }
        return o0.or(o1).or(o2).or(o3).reduceLanes(VectorOperators.OR);
    }
}
