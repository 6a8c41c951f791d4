package lanes.serve;

import java.util.List;
import lanes.engine.InputRange;
import lanes.engine.Model;
import lanes.engine.Shape;

/**
 * What a client needs to know about a model's tensors: the input's shape (height, width, channels; a
 * flat vector is 1 x 1 x n), the number of outputs, whether they are probabilities (a softmax head) or
 * raw outputs, their labels (empty when the model has none) and the input range it was trained on. The
 * accepted request shapes follow from it: per example, the flat {@code [n]}, the model's own
 * {@code [h, w, c]}, and {@code [h, w]} when there is one channel. A flat 784-input model is a 28 x 28
 * digit model (that is what the image preprocessing feeds it), so it takes those shapes too.
 *
 * @param flat whether the model declares a flat input (its metadata then says [n])
 */
record Signature(int height, int width, int channels, boolean flat, int outputs, boolean probabilities,
                 List<String> labels, InputRange inputRange) {

    static final int SIDE = 28;

    static Signature of(Model model) {
        Shape in = model.inputShape();
        List<String> labels = model.labels();
        boolean p = model.outputsProbabilities();
        if (in.isVector() && in.size() == SIDE * SIDE) return new Signature(SIDE, SIDE, 1, true, model.outputs(), p, labels, model.inputRange());
        return new Signature(in.height(), in.width(), in.channels(), in.isVector(), model.outputs(), p, labels, model.inputRange());
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
        return height == SIDE && width == SIDE && channels == 1;
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
