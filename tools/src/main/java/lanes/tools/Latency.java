package lanes.tools;

import com.beust.jcommander.Parameter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import lanes.engine.Model;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import lanes.trainer.Dataset;
import lanes.trainer.Samples;

/**
 * tools/latency: single-image prediction latency on real test images, one thread, after warm-up.
 * Each call is timed on its own (System.nanoTime costs ~20 ns, included); JMH's PredictBench is the
 * rigorous figure, this is the quick one the quickstart prints.
 */
public final class Latency {

    static final int MAX_CALLS = 100_000_000;

    static final class Args extends Cli.HasHelp {
        @Parameter(names = "--model", description = "Weight file (default: the model inside the engine jar)")
        Path model;
        @Parameter(names = "--data", required = true, description = "Data directory with t10k-images-idx3-ubyte.gz")
        Path data;
        @Parameter(names = "--bf16", description = "Round the model's Dense weights to bfloat16 (as tools/predict --bf16)")
        boolean bf16;
        @Parameter(names = "--calls", description = "Timed predictions")
        int calls = 200_000;

        @Override
        void check() {
            Cli.atLeastOne("--calls", calls);
            // Every call's time is kept for the percentiles: 8 bytes each.
            if (calls > MAX_CALLS) throw new Cli.UsageException("--calls must be at most " + MAX_CALLS + ", got " + calls);
        }
    }

    public static void main(String[] argv) {
        Args a = new Args();
        System.exit(Cli.run("tools/latency", a, argv, () -> measure(a)));
    }

    private static int measure(Args a) throws Exception {
        Model model = Predict.load(a.model, null);
        if (a.bf16) model = model.withBf16Weights();
        Samples test = Dataset.load(a.data, "t10k").samples();
        int n = test.count(), f = test.features();
        // Any network on 784 values runs: an MLP's vector or a CNN's 28×28×1 (IDX rows are NHWC already).
        if (f != model.inputSize()) throw new IllegalArgumentException(
                "the model takes " + model.inputShape() + " = " + model.inputSize() + " inputs, the images have " + f);
        float[][] inputs = new float[n][f];
        for (int i = 0; i < n; i++) Pixels.toUnit(test.pixels(), i * f, inputs[i], 0, f);
        Predictor p = model.newPredictor();
        int correct = 0, sink = 0;
        for (int i = 0; i < n; i++) if (p.predict(inputs[i]) == (test.labels()[i] & 0xFF)) correct++;
        for (int i = 0; i < 100_000; i++) sink += p.predict(inputs[i % n]); // warm-up: let C2 compile the path
        long[] t = new long[a.calls];
        for (int i = 0; i < a.calls; i++) {
            float[] x = inputs[i % n];
            long t0 = System.nanoTime();
            sink += p.predict(x);
            t[i] = System.nanoTime() - t0;
        }
        Arrays.sort(t);
        long total = 0;
        for (long v : t) total += v;
        System.out.printf(Locale.ROOT,
                "Single-image latency over %d predictions of %d test images (1 thread, %s): p50 %.2f us, p99 %.2f us, mean %.2f us%n",
                a.calls, n, model.source() + (model.bf16Weights() ? ", dense weights bf16" : ""), t[a.calls / 2] / 1e3, t[(int) (a.calls * 0.99)] / 1e3, total / 1e3 / a.calls);
        System.out.printf(Locale.ROOT, "Accuracy on those images: %.4f (checksum %d)%n", (double) correct / n, sink);
        return Cli.OK;
    }
}
