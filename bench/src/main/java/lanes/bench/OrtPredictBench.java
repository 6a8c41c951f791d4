package lanes.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import lanes.engine.Model;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import lanes.interchange.OnnxImporter;
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
 * Single-image latency, Lanes against ONNX Runtime Java, on the same .onnx file in the same run: the
 * committed fixtures (bench/compare/export_onnx.py) {@code lenet} (LeNet-5) and {@code mlp}, on the real
 * MNIST test images cycled. ONNX Runtime gets one intra-op and one inter-op thread, sequential execution,
 * all graph optimizations, and its input tensors made up front, so a call is {@code session.run} and
 * reading the output: the best case for it. Lanes runs the file as {@link OnnxImporter} imports it.
 *
 * <pre>
 * tools/bench 'OrtPredictBench' -p model=lenet -bm sample         (from the repository root)
 * </pre>
 * {@code -Dlanes.onnx=DIR} (with -jvmArgsAppend) points at another directory of fixtures.
 */
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 3, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class OrtPredictBench {

    @Param({"lenet", "mlp"})
    public String model;

    float[][] images;
    OnnxTensor[] tensors;
    Predictor lanes;
    float[] probabilities;
    OrtSession session;
    String inputName;
    int next;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException, OrtException {
        Path file = Path.of(System.getProperty("lanes.onnx", "interchange/src/test/resources/lanes/interchange/onnx"))
                .resolve(model).resolve("model.onnx");
        if (!Files.isRegularFile(file)) throw new IllegalStateException("no " + file.toAbsolutePath()
                + ": run from the repository root, or pass -Dlanes.onnx=DIR with -jvmArgsAppend");
        Model m = Model.of(OnnxImporter.read(file), BenchData.kernelsFor(params));
        lanes = m.newPredictor();
        probabilities = new float[m.outputs()];

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = env.createSession(file.toString(), options);
        inputName = session.getInputNames().iterator().next();

        Samples test = RealData.load("mnist", "t10k");
        if (m.inputSize() != test.features()) throw new IllegalStateException(model + " takes " + m.inputSize()
                + " inputs, an MNIST image has " + test.features());
        long[] shape = m.inputShape().isVector() ? new long[] {1, test.features()} : new long[] {1, 1, 28, 28};
        images = new float[test.count()][test.features()];
        tensors = new OnnxTensor[test.count()];
        for (int i = 0; i < test.count(); i++) {
            Pixels.toUnit(test.pixels(), i * test.features(), images[i], 0, test.features());
            FloatBuffer b = ByteBuffer.allocateDirect(4 * test.features()).order(ByteOrder.nativeOrder()).asFloatBuffer();
            b.put(images[i]).rewind();
            tensors[i] = OnnxTensor.createTensor(env, b, shape);
        }
        // Both engines must compute the same thing, or the comparison means nothing.
        for (int i = 0; i < 200; i++) {
            lanes.predict(images[i], probabilities);
            try (OrtSession.Result r = session.run(Map.of(inputName, tensors[i]))) {
                FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
                for (int j = 0; j < probabilities.length; j++) {
                    if (Math.abs(probabilities[j] - y.get(j)) > 1e-5) throw new IllegalStateException(
                            "image " + i + " output " + j + ": Lanes " + probabilities[j] + ", ONNX Runtime " + y.get(j));
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() throws OrtException {
        for (OnnxTensor t : tensors) t.close();
        session.close();
    }

    @Benchmark
    public int lanes() {
        int i = next++ % images.length;
        if (next < 0) next = 0;
        return lanes.predict(images[i], probabilities);
    }

    @Benchmark
    public int ort() throws OrtException {
        int i = next++ % images.length;
        if (next < 0) next = 0;
        try (OrtSession.Result r = session.run(Map.of(inputName, tensors[i]))) {
            FloatBuffer y = ((OnnxTensor) r.get(0)).getFloatBuffer();
            int best = 0;
            for (int j = 1; j < y.limit(); j++) if (y.get(j) > y.get(best)) best = j;
            return best;
        }
    }
}
