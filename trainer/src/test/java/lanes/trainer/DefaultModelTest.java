package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import lanes.engine.Model;
import lanes.engine.Pixels;
import lanes.engine.Predictor;
import org.junit.jupiter.api.Test;

/** The model shipped in the engine jar, on real digits it was not trained on (the fixture's test split). */
class DefaultModelTest {

    @Test
    void theShippedModelRecognisesRealDigits() throws Exception {
        Samples test = MnistSmall.load("t10k").samples();
        Model model = Model.loadDefault();
        assertEquals(784, model.inputSize());
        assertEquals(10, model.outputs());
        Predictor p = model.newPredictor();
        float[] x = new float[784], probs = new float[10];
        int correct = 0;
        for (int i = 0; i < test.count(); i++) {
            Pixels.toUnit(test.pixels(), i * 784, x, 0, 784);
            int label = p.predict(x, probs);
            assertEquals(label, model.predict(x), "the thread-local path agrees");
            double sum = 0;
            for (float v : probs) sum += v;
            assertEquals(1.0, sum, 1e-5);
            if (label == (test.labels()[i] & 0xFF)) correct++;
        }
        double accuracy = (double) correct / test.count();
        // The shipped model scored 0.9505 on its 2,000 validation digits; the fixture's 200 are a sample.
        assertTrue(accuracy >= 0.9, "accuracy " + accuracy);
    }
}
