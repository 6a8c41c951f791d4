package lanes.engine;

/**
 * The activation applied to a layer's output, as part of a layer ({@link DenseWeights}, {@link Conv2D}) or
 * as a layer of its own ({@link ActivationLayer}).
 *
 * <p>Each constant has a fixed code used in the weight file ({@code docs/weight-format.md}). Codes are
 * part of the format: never renumber them, only add new ones. Version 1 files use codes 0–2 only.
 */
public enum Activation {
    /** The identity (logits or regression outputs). */
    LINEAR(0),
    /** max(0, x), element-wise. */
    RELU(1),
    /** exp(x_j) / Σ exp(x_k) over the layer's units (class probabilities); the engine runs it only as the output. */
    SOFTMAX(2),
    /** 1 / (1 + exp(−x)), element-wise. */
    SIGMOID(3),
    /** tanh(x), element-wise. */
    TANH(4);

    private final int code;

    Activation(int code) {
        this.code = code;
    }

    /** The stable on-disk code of this activation. */
    public int code() {
        return code;
    }

    /**
     * The activation with the given on-disk code.
     *
     * @throws IllegalArgumentException if no activation has that code
     */
    public static Activation ofCode(int code) {
        for (Activation a : values()) {
            if (a.code == code) return a;
        }
        throw new IllegalArgumentException("no activation has code " + code);
    }
}
