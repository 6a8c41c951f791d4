package lanes.engine;

/**
 * The activation applied to a dense layer's output.
 *
 * <p>Each constant has a fixed code used in the weight file ({@code docs/weight-format.md}). Codes are
 * part of the format: never renumber them, only add new ones.
 */
public enum Activation {
    /** max(0, x), element-wise. */
    RELU(1),
    /** exp(x_j) / Σ exp(x_k) over the layer's units (class probabilities). */
    SOFTMAX(2),
    /** The identity (logits or regression outputs). */
    LINEAR(0);

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
