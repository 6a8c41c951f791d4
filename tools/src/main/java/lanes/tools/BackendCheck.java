package lanes.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import lanes.engine.Model;
import lanes.engine.Predictor;
import lanes.interchange.ImportException;
import lanes.interchange.OnnxImporter;
import lanes.interchange.OnnxTensor;
import lanes.kernels.KernelsProvider;

/**
 * One directory laid out as ONNX's backend tests are: {@code model.onnx} and {@code test_data_set_N/}
 * holding {@code input_0.pb} and {@code output_0.pb} (serialized TensorProto, the first dimension the
 * batch). Each example runs through the Lanes engine and is compared with the stored output; NCHW images
 * (4-D tensors) are compared in the engine's NHWC order.
 */
final class BackendCheck {
    private BackendCheck() {}

    record Result(double maxAbsDiff, int dataSets, int examples) {}

    /** The model uses an op or attribute Lanes does not run: the message names it. */
    static final class Unsupported extends Exception {
        private static final long serialVersionUID = 1L;

        Unsupported(String message) {
            super(message);
        }
    }

    static Result run(Path dir) throws IOException, Unsupported {
        if (!Files.isDirectory(dir)) throw new IOException(dir + (Files.exists(dir) ? " is not a directory" : ": no such directory"));
        Path modelFile = dir.resolve("model.onnx");
        if (!Files.isRegularFile(modelFile)) throw new IOException(dir + ": no model.onnx in it");
        Model model;
        try {
            model = Model.of(OnnxImporter.read(modelFile), KernelsProvider.get());
        } catch (ImportException e) {
            if (e.problem().startsWith("not an ONNX model")) throw e;
            throw new Unsupported(e.problem());
        } catch (IllegalArgumentException e) { // a network the engine cannot build (softmax inside it)
            throw new Unsupported(e.getMessage());
        }
        List<Path> sets;
        try (Stream<Path> s = Files.list(dir)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_") && Files.isDirectory(p)).sorted().toList();
        }
        if (sets.isEmpty()) throw new IOException(dir + ": no test_data_set_N directories");
        Predictor predictor = model.newPredictor();
        float[] y = new float[model.outputs()];
        double max = 0;
        int examples = 0;
        for (Path set : sets) {
            if (Files.exists(set.resolve("input_1.pb"))) throw new Unsupported(set + " has a second input; Lanes models take one");
            OnnxTensor in = OnnxTensor.read(set.resolve("input_0.pb"));
            OnnxTensor expected = OnnxTensor.read(set.resolve("output_0.pb"));
            int batch = in.batch();
            if (expected.batch() != batch) throw new IOException(set + ": input_0.pb has a batch of " + batch
                    + ", output_0.pb of " + expected.batch());
            if (in.size() != (long) batch * model.inputSize()) throw new IOException(set + ": input_0.pb holds "
                    + in.size() / Math.max(1, batch) + " values per example, the model takes " + model.inputSize());
            if (expected.size() != (long) batch * model.outputs()) throw new IOException(set + ": output_0.pb holds "
                    + expected.size() / Math.max(1, batch) + " values per example, the model gives " + model.outputs());
            for (int i = 0; i < batch; i++) {
                predictor.predict(in.example(i), y);
                float[] want = expected.example(i);
                for (int j = 0; j < y.length; j++) {
                    double d = Math.abs((double) y[j] - want[j]);
                    if (!(d <= max)) max = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                }
                examples++;
            }
        }
        return new Result(max, sets.size(), examples);
    }
}
