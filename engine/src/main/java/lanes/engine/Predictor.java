package lanes.engine;

/**
 * Single-image inference with its own scratch: no allocation and no lock per call, and therefore
 * <b>not thread-safe</b> — use one per thread, or {@link Model#predict}, which keeps scratch per thread.
 *
 * <p>It runs the model's compiled ops on two buffers of its own (dense layers with the zero-skipping
 * kernel: an MNIST digit has about 150 non-zero pixels of 784, and a ReLU layer about half its units at
 * zero); softmax only when probabilities are asked for, since argmax of the logits is the same label.
 */
public final class Predictor {
    private final Model model;
    private final float[] even, odd;

    Predictor(Model model) {
        this.model = model;
        this.even = new float[model.maxWidth];
        this.odd = new float[model.maxWidth];
    }

    public Model model() {
        return model;
    }

    /** The most probable class of one input of {@link Model#inputSize()} values (see {@link Model#predict(float[])}). */
    public int predict(float[] input) {
        return JfrSupport.active() ? EngineEvents.predict(model, even, odd, input, null) : model.run(even, odd, input, null);
    }

    /** As {@link #predict(float[])}, also writing the class probabilities to {@code probabilities}. */
    public int predict(float[] input, float[] probabilities) {
        model.checkProbabilities(probabilities);
        return JfrSupport.active() ? EngineEvents.predict(model, even, odd, input, probabilities)
                : model.run(even, odd, input, probabilities);
    }
}
