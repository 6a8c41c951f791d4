package lanes.engine;

import lanes.kernels.Kernels;

/**
 * Single-image inference with its own scratch: no allocation and no lock per call, and therefore
 * <b>not thread-safe</b> — use one per thread, or {@link Model#predict}, which keeps one per thread.
 *
 * <p>Per layer: the zero-skipping kernel (an MNIST digit has about 150 non-zero pixels of 784, and a
 * ReLU layer about half its units at zero), bias and activation; softmax only when probabilities are
 * asked for, since argmax of the logits is the same label.
 */
public final class Predictor {
    private final Model model;
    private final Kernels k;
    private final float[] even, odd;

    Predictor(Model model) {
        this.model = model;
        this.k = model.kernels;
        this.even = new float[model.maxWidth];
        this.odd = new float[model.maxWidth];
    }

    public Model model() {
        return model;
    }

    /** The most probable class of one input of {@link Model#inputSize()} values. */
    public int predict(float[] input) {
        return JfrSupport.active() ? EngineEvents.predict(this, input, null) : run(input, null);
    }

    /** As {@link #predict(float[])}, also writing the class probabilities to {@code probabilities}. */
    public int predict(float[] input, float[] probabilities) {
        if (probabilities == null || probabilities.length < model.outputs) throw new IllegalArgumentException(
                "probabilities needs " + model.outputs + " elements, has "
                        + (probabilities == null ? "none (null)" : probabilities.length));
        return JfrSupport.active() ? EngineEvents.predict(this, input, probabilities) : run(input, probabilities);
    }

    /** The prediction itself; probabilities may be null (then no softmax is computed). */
    int run(float[] input, float[] probabilities) {
        float[] logits = forward(input);
        int label = k.argmax(model.outputs, logits, 0);
        if (probabilities != null) model.finish(1, logits, 0, probabilities, 0);
        return label;
    }

    /** Runs every layer; returns the buffer holding the last layer's pre-softmax output. */
    private float[] forward(float[] input) {
        if (input == null || input.length != model.inputSize) throw new IllegalArgumentException(
                "input must have " + model.inputSize + " values, has " + (input == null ? "none (null)" : input.length));
        return model.forward(1, input, 0, even, odd);
    }
}
