package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import lanes.kernels.Kernels;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/**
 * The bundled fast model (a dense-only version 1 file) predicts exactly what it did before networks became layer lists: the
 * forward pass as it was written then (per dense layer: zero-skipping matmul, bias, relu; softmax at the
 * end), replayed here on the same kernels, against Model, bit for bit.
 */
class DefaultModelBitsTest {

    @Test
    void theDefaultModelGivesTheBitsOfTheDenseOnlyForwardPass() throws IOException {
        Model model = Model.loadBundled("mnist-fast");
        Weights w = model.weights();
        assertEquals(1, WeightFile.encode(w)[8], "the fast model is a version 1 file");
        Kernels k = KernelsProvider.get();
        float[][] inputs = ModelConcurrencyTest.syntheticDigits(11, 64);
        float[] p = new float[model.outputs()], q = new float[model.outputs()];
        for (int s = 0; s < inputs.length; s++) {
            float[] x = inputs[s];
            for (Layer layer : w.layers()) {
                DenseWeights d = (DenseWeights) layer;
                float[] y = new float[d.units()];
                k.matmulSkipZeros(1, d.units(), d.inputs(), x, 0, d.inputs(), d.kernel(), 0, d.units(), y, 0, d.units(), false);
                k.addBias(1, d.units(), y, 0, d.bias(), 0);
                if (d.activation() == Activation.RELU) k.reluForward(d.units(), y, 0, y, 0);
                x = y;
            }
            k.softmaxRows(1, x.length, x, 0, q, 0);
            int label = model.predict(inputs[s], p);
            assertEquals(k.argmax(x.length, x, 0), label, "input " + s);
            LayerModelTest.assertBits(q, p, "input " + s);
        }
    }
}
