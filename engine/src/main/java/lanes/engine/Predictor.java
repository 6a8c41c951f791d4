package lanes.engine;

/**
 * Single-image inference with its own scratch: no allocation and no lock per call, and therefore
 * <b>not thread-safe</b> — use one per thread, or {@link Model#predict}, which keeps scratch per thread.
 *
 * <p>It owns all of its scratch, the kernels' {@link lanes.kernels.Kernels.Workspace} included, so a
 * predictor created once per thread (a virtual thread per request included) allocates nothing per call
 * once its first call has grown that workspace to the model's shapes.
 *
 * <p>It runs the model's compiled ops on two buffers of its own (dense layers with the zero-skipping
 * kernel: an MNIST digit has about 150 non-zero pixels of 784, and a ReLU layer about half its units at
 * zero); softmax only when probabilities are asked for, since argmax of the logits is the same label.
 */
public final class Predictor {
    private final Model model;
    /** Its own activations and kernel workspace: no thread-local lookup, nothing shared, nothing allocated per call. */
    private final Scratch scratch = new Scratch();

    Predictor(Model model) {
        this.model = model;
        scratch.fit(model.maxWidth);
    }

    public Model model() {
        return model;
    }

    /** The most probable class of one input of {@link Model#inputSize()} values (see {@link Model#predict(float[])}). */
    public int predict(float[] input) {
        return model.recording() ? EngineEvents.predict(model, scratch, input, null) : model.run(scratch, input, null);
    }

    /** As {@link #predict(float[])}, also writing the class probabilities to {@code probabilities}. */
    public int predict(float[] input, float[] probabilities) {
        model.checkProbabilities(probabilities);
        return model.recording() ? EngineEvents.predict(model, scratch, input, probabilities)
                : model.run(scratch, input, probabilities);
    }
}
