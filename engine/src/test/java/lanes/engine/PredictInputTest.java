package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Model and Predictor do with inputs and lifetimes an embedding application gets wrong or relies on. */
class PredictInputTest {

    @Test
    void aNonFiniteInputIsRefusedByIndexNotAnsweredAsClassZero() throws IOException {
        Model model = Model.loadDefault();
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = new float[784];
            x[300] = bad;
            String expected = "input has a value that is not finite: " + bad + " at index 300";
            assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> model.predict(x)).getMessage());
            assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> model.predict(x, new float[10])).getMessage());
            assertEquals(expected, assertThrows(IllegalArgumentException.class,
                    () -> model.newPredictor().predict(x)).getMessage());

            float[] batch = new float[3 * 784];
            batch[2 * 784 + 5] = bad;
            try (BatchScheduler s = new BatchScheduler(2)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> model.predictBatch(batch, 3, new int[3], null, s));
                assertEquals("image 2 of the batch has a value that is not finite: " + bad + " at index 5", e.getMessage());
            }
        }
        // Finite but far outside [0, 1]: the outputs leave float's range, and that is said, not answered.
        float[] huge = new float[784];
        java.util.Arrays.fill(huge, 3e38f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(huge));
        assertTrue(e.getMessage().startsWith("the network's outputs overflow on input"), e.getMessage());
        // and an ordinary input still predicts
        float[] zeros = new float[784];
        assertEquals(model.newPredictor().predict(zeros), model.predict(zeros));
    }

    @Test
    void aDroppedModelIsCollectedAfterPredictingOnThisThread() throws Exception {
        // Per-thread scratch held in a per-model ThreadLocal kept every model ever used alive through its own
        // value for as long as the thread lived: a service reloading its model leaked ~400 KB a reload.
        WeakReference<Model> ref = predictOnceAndDrop();
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(null, ref.get(), "the model is still reachable after predict() on this thread");
    }

    private static WeakReference<Model> predictOnceAndDrop() throws IOException {
        Model m = Model.of(Model.loadDefault().weights(), KernelsProvider.get());
        m.predict(new float[784]);
        m.predict(new float[784], new float[10]);
        try (BatchScheduler s = new BatchScheduler(2)) {
            m.predictBatch(new float[100 * 784], 100, new int[100], null, s);
        }
        return new WeakReference<>(m);
    }

    @Test
    void predictAllocatesNothingOnceAThreadHasItsScratch() throws IOException {
        // The contract the README states: after the first call on a thread, predict allocates nothing, on
        // the shared thread-local scratch as on an owned Predictor, whichever model (and width) comes next.
        Model a = Model.loadDefault();
        Model b = Model.of(TestWeights.model(3, new Metadata("", 0, Double.NaN, java.time.Instant.EPOCH), 784,
                Activation.SOFTMAX, 200, 10), KernelsProvider.get());
        Predictor own = a.newPredictor();
        float[] x = new float[784], p = new float[10];
        for (int i = 0; i < 784; i += 3) x[i] = (i % 7) / 7f;
        long[] sink = {0};
        long bytes = SteadyAllocation.bytesPerRound(() -> {
            for (int i = 0; i < 5_000; i++) sink[0] += a.predict(x) + b.predict(x, p) + own.predict(x, p);
        });
        assertEquals(0, bytes, "bytes allocated by 15,000 predictions after warm-up (labels sum " + sink[0] + ")");
    }

    @Test
    void convolutionalPredictAllocatesNothingOnceAThreadHasItsScratch() throws Exception {
        // The same contract for every layer type: conv, pool, BatchNorm folded and as an affine op, the
        // input range op, relu, sigmoid, tanh, a separate softmax; on the shared scratch and on a Predictor.
        // After the default model's warm-up, as in a service that loads it and then models of its own: C2
        // had compiled the pooling kernel for 2x2 windows alone, and its recompiled general-window loop
        // boxed 736 bytes of vectors per prediction for good. In a JVM of its own (ConvAllocationProbe):
        // here it would run on whatever the JIT compiled for the tests before it.
        String line = ChildJvm.firstLine(java.util.List.of("-Xmx512m"), ConvAllocationProbe.class, java.util.List.of(), "bytes=", 120);
        assertTrue(line.startsWith("bytes=0 "), "bytes allocated by 900 convolutional predictions after warm-up: " + line);
    }

    @Test
    void predictBatchScratchFitsAVeryWideLayer() {
        // Scratch was 64 rows of the widest layer per buffer and thread: 2 x 4 GiB here (at 2^25 units the size
        // overflowed int), 0.5 GiB at the weight file's limit of 2^20 units. Now a wide layer gets fewer rows.
        int wide = 1 << 24;
        Weights w = new Weights(1, java.util.List.of(new DenseWeights(1, wide, Activation.LINEAR, new float[wide], new float[wide])),
                new Metadata("", 0, Double.NaN, java.time.Instant.EPOCH));
        Model m = Model.of(w, KernelsProvider.get());
        int[] labels = new int[3];
        try (BatchScheduler s = new BatchScheduler(1)) {
            m.predictBatch(new float[] {1f, 2f, 3f}, 3, labels, null, s);
        }
        assertEquals(0, labels[2]);
    }

    @Test
    void theEngineRunsWithoutTheJfrModule(@TempDir Path dir) throws Exception {
        // A jlinked runtime may leave jdk.jfr out; the engine probed it on every call and failed with
        // NoClassDefFoundError: jdk/jfr/FlightRecorder.
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(javaBin.toString(), "-XX:-UsePerfData", "--limit-modules", "java.base,java.logging",
                "-cp", ChildJvm.classPath(), PredictWithoutJfr.class.getName())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS); // a hung child fails the test, not the build
        if (!finished) p.destroyForcibly();
        String out = java.nio.file.Files.readString(dir.resolve("child.log"));
        assertTrue(finished, "child did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("jfr module: absent; predicted 3"), out);
    }
}
