package lanes.interchange;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/** ONNX Runtime (the peer every import is checked against): runs a model file on one input tensor. */
final class Ort {
    private Ort() {}

    /** The model's single output for {@code input} of {@code shape}, flat, in ONNX's order. */
    static float[] run(byte[] model, float[] input, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(model, options);
                 OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), shape);
                 OrtSession.Result result = session.run(Map.of(session.getInputNames().iterator().next(), x))) {
                FloatBuffer y = ((OnnxTensor) result.get(0)).getFloatBuffer();
                float[] out = new float[y.remaining()];
                y.get(out);
                return out;
            }
        }
    }
}
