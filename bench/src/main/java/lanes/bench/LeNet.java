package lanes.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import lanes.engine.Activation;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.InputRange;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Metadata;
import lanes.engine.Padding;
import lanes.engine.Provenance;
import lanes.engine.Shape;
import lanes.engine.WeightFile;
import lanes.engine.Weights;

/**
 * LeNet-5 shaped for MNIST 28×28×1, with seeded He-scaled weights (untrained: its labels mean nothing, its
 * cost is a real LeNet's): conv 6 5×5 same relu, maxpool 2, conv 16 5×5 valid relu, maxpool 2, flatten,
 * dense 120 relu, dense 84 relu, dense 10 softmax. 61,706 parameters.
 *
 * <p>Writes {@code lenet.lnw} for {@code tools/latency --model lenet.lnw}:
 * <pre>
 * tools/bench -h >/dev/null   # builds bench/target/benchmarks.jar
 * java -cp bench/target/benchmarks.jar lanes.bench.LeNet lenet.lnw [SEED]
 * </pre>
 */
public final class LeNet {
    private LeNet() {}

    public static final long SEED = 5;

    public static Weights weights(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Layer> l = new ArrayList<>();
        l.add(conv(r, 1, 6, Padding.same(28, 28, 5, 5, 1, 1)));
        l.add(new MaxPool2D(2, 2, 2, 2, Padding.VALID));
        l.add(conv(r, 6, 16, Padding.VALID));
        l.add(new MaxPool2D(2, 2, 2, 2, Padding.VALID));
        l.add(new Flatten());
        l.add(dense(r, 400, 120, Activation.RELU));
        l.add(dense(r, 120, 84, Activation.RELU));
        l.add(dense(r, 84, 10, Activation.SOFTMAX));
        return new Weights(new Shape(28, 28, 1), l, new Metadata("untrained", 0, Double.NaN, java.time.Instant.EPOCH),
                InputRange.UNIT, List.of(), Provenance.lanes());
    }

    private static Conv2D conv(SplittableRandom r, int in, int filters, Padding p) {
        return new Conv2D(5, 5, in, filters, 1, 1, p, Activation.RELU, he(r, 25 * in * filters, 25 * in), small(r, filters));
    }

    private static DenseWeights dense(SplittableRandom r, int in, int units, Activation a) {
        return new DenseWeights(in, units, a, he(r, in * units, in), small(r, units));
    }

    /** Uniform in ±sqrt(6 / fanIn): He initialisation, so activations keep their scale through the layers. */
    private static float[] he(SplittableRandom r, int n, int fanIn) {
        double limit = Math.sqrt(6.0 / fanIn);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * limit);
        return a;
    }

    private static float[] small(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * 0.05);
        return a;
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "lenet.lnw");
        long seed = args.length > 1 ? Long.parseLong(args[1]) : SEED;
        Weights w = weights(seed);
        WeightFile.write(out, w);
        System.out.println("wrote " + out + ": LeNet-5 for 28x28x1, " + w.parameterCount() + " parameters, seed " + seed);
    }
}
