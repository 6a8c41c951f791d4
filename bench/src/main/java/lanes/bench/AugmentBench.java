package lanes.bench;

import java.util.concurrent.TimeUnit;
import lanes.trainer.Augmentation;
import lanes.trainer.Samples;
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

/**
 * Augmenting one batch of 32 real Fashion-MNIST images on one thread, as {@code tools/train --augment}
 * does before each step (split over the training threads): compare with {@link TrainBench#step} of the
 * same model to get augmentation's share of an epoch.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1)
public class AugmentBench {

    @Param({"affine", "affine,elastic", "affine,elastic,thickness"})
    public String augment;

    private Samples train;
    private Augmentation augmentation;
    private float[] out, scratch;
    private int from;
    private long seed;

    @Setup(Level.Trial)
    public void setUp() {
        train = RealData.load("fashion-mnist", "train");
        augmentation = Augmentation.parse(augment);
        out = new float[32 * 784];
        scratch = new float[Augmentation.scratchSize(28, 28)];
    }

    @Benchmark
    public float batch() {
        if (from + 32 > train.count()) from = 0;
        for (int r = 0; r < 32; r++) {
            augmentation.apply(train.pixels(), (from + r) * 784, 28, 28, out, r * 784, seed++, scratch);
        }
        from += 32;
        return out[(int) (seed & 1023)];
    }
}
