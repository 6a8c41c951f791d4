package lanes.interchange;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;

/** The committed ONNX fixtures (bench/compare/export_onnx.py), in ONNX's backend-test layout. */
final class OnnxFixtures {
    private OnnxFixtures() {}

    static final String[] RUNNABLE = {"mlp", "lenet", "cnn", "gemm_attrs", "same_pool"};

    static Path dir(String name) {
        try {
            return Path.of(OnnxFixtures.class.getResource("/lanes/interchange/onnx/" + name + "/model.onnx").toURI()).getParent();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture " + name + " is missing from the test resources", e);
        }
    }

    static Path model(String name) {
        return dir(name).resolve("model.onnx");
    }

    static OnnxTensor input(String name) throws IOException {
        return OnnxTensor.read(dir(name).resolve("test_data_set_0/input_0.pb"));
    }

    static OnnxTensor output(String name) throws IOException {
        return OnnxTensor.read(dir(name).resolve("test_data_set_0/output_0.pb"));
    }

    /** Lanes' outputs for every example of {@code input}, one after another in the engine's order. */
    static float[] lanes(lanes.engine.Model model, OnnxTensor input) {
        int n = input.batch(), outs = model.outputs();
        float[] all = new float[n * outs];
        float[] y = new float[outs];
        for (int i = 0; i < n; i++) {
            rawOutputs(model, input.example(i), y);
            System.arraycopy(y, 0, all, i * outs, outs);
        }
        return all;
    }

    /** The model's output values (probabilities for a softmax head, else the raw outputs). */
    static void rawOutputs(lanes.engine.Model model, float[] input, float[] out) {
        model.predict(input, out);
    }

    /** An ONNX-order output tensor in the engine's order (NCHW images as NHWC), whole batch. */
    static float[] lanesOrder(OnnxTensor t) {
        int n = t.batch(), per = (int) (t.size() / n);
        float[] all = new float[n * per];
        for (int i = 0; i < n; i++) System.arraycopy(t.example(i), 0, all, i * per, per);
        return all;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
