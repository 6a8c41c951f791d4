package lanes.bench;

import java.util.concurrent.TimeUnit;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.trainer.Adam;
import lanes.trainer.Network;
import lanes.trainer.Samples;
import lanes.trainer.Trainer;
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

/**
 * One training step on a real Fashion-MNIST batch of 32: forward, backward and Adam. 1,875 of these are
 * one epoch of 60,000 images. {@code model} = {@code mlp}, the tutorial's 784-128-10, or {@code cnn}, the
 * reference CNN conv2d(16,5,relu) maxpool(2) conv2d(32,5,relu) maxpool(2) dense(10,softmax), whose PyTorch
 * twin is {@code bench/compare/pytorch_twin.py --arch cnn}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 4, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
public class TrainBench {

    @Param({"1", "2"})
    public int threads;

    @Param({"fashion-mnist"})
    public String dataset;

    @Param({"mlp", "cnn"})
    public String model;

    private Samples train;
    private Trainer trainer;
    private BatchScheduler scheduler;
    private int from;

    @Setup(Level.Trial)
    public void setUp() {
        train = RealData.load(dataset, "train");
        scheduler = new BatchScheduler(threads);
        Network net = switch (model) {
            case "mlp" -> Network.builder(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX).build(1);
            case "cnn" -> Network.builder(28, 28, 1).conv2d(16, 5, Activation.RELU).maxPool(2)
                    .conv2d(32, 5, Activation.RELU).maxPool(2).dense(10, Activation.SOFTMAX).build(1);
            default -> throw new IllegalArgumentException("model is mlp or cnn, got " + model);
        };
        trainer = new Trainer(net, new Adam(Adam.DEFAULT_LR, net.parameterCount()), BenchData.vectorKernels(), scheduler);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        scheduler.close();
    }

    @Benchmark
    public double step() {
        if (from + 32 > train.count()) from = 0;
        double loss = trainer.trainBatch(train, from, 32);
        from += 32;
        return loss;
    }

}
