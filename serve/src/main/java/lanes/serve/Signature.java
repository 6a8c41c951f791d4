package lanes.serve;

import lanes.engine.Activation;
import lanes.engine.Model;

/**
 * What a client needs to know about a model's tensors: the input's shape (height, width, channels; a
 * flat vector is 1 x 1 x n), the number of outputs, and whether they are probabilities (a softmax head)
 * or raw outputs. The accepted request shapes follow from it: per example, the flat {@code [n]}, the
 * model's own {@code [h, w, c]}, and {@code [h, w]} when there is one channel.
 */
record Signature(int height, int width, int channels, boolean flat, int outputs, boolean probabilities) {

    static Signature of(Model model) {
        int n = model.inputSize();
        // A 784-input model is a 28 x 28 digit model: that is what ImagePreprocessor feeds it.
        boolean image = n == lanes.engine.ImagePreprocessor.INPUT_SIZE;
        int side = lanes.engine.ImagePreprocessor.SIDE;
        boolean softmax = model.weights().layers().getLast().activation() == Activation.SOFTMAX;
        return image ? new Signature(side, side, 1, true, model.outputs(), softmax)
                : new Signature(1, 1, n, true, model.outputs(), softmax);
    }

    /** One example's shape as the model declares it: [n] for a model over a flat vector, else [h, w, c]. */
    int[] declaredShape() {
        return flat ? new int[] {inputSize()} : new int[] {height, width, channels};
    }

    int inputSize() {
        return height * width * channels;
    }

    /** True for a model that takes a 28 x 28 image, which the image endpoint can feed. */
    boolean takesImages() {
        return height == lanes.engine.ImagePreprocessor.SIDE && width == lanes.engine.ImagePreprocessor.SIDE && channels == 1;
    }

    /** What the outputs are called in the APIs: "probabilities" for a softmax head, else "outputs". */
    String outputName() {
        return probabilities ? "probabilities" : "outputs";
    }

    /** The example shapes this model accepts, for error messages: "[784], [28, 28] or [28, 28, 1]". */
    String acceptedShapes() {
        if (height == 1 && width == 1) return "[" + channels + "]";
        String hw = "[" + height + ", " + width + "]";
        String hwc = "[" + height + ", " + width + ", " + channels + "]";
        return "[" + inputSize() + "], " + (channels == 1 ? hw + " or " : "") + hwc;
    }

    /**
     * Whether {@code dims[from...]} is one example's shape: the flat vector, [h, w, c], or [h, w] when c == 1.
     */
    boolean isExample(int[] dims, int from) {
        int k = dims.length - from;
        if (k == 1) return dims[from] == inputSize();
        if (k == 2) return channels == 1 && dims[from] == height && dims[from + 1] == width;
        if (k == 3) return dims[from] == height && dims[from + 1] == width && dims[from + 2] == channels;
        return false;
    }
}
