package lanes.engine;

/**
 * The input range the model was trained on. Lanes inputs are always in [0, 1] (what image preprocessing
 * yields); the model maps x to {@code low + x·(high − low)} itself, so a model trained on raw 0–255 pixels
 * predicts right from the same preprocessing. {@link #UNIT} is the identity and costs nothing.
 *
 * @param low  the value a Lanes input of 0 becomes; finite
 * @param high the value a Lanes input of 1 becomes; finite and greater than low
 */
public record InputRange(float low, float high) {

    /** [0, 1]: inputs are used as they are. */
    public static final InputRange UNIT = new InputRange(0f, 1f);

    /** @throws IllegalArgumentException if a bound is not finite or low is not below high */
    public InputRange {
        if (!Float.isFinite(low) || !Float.isFinite(high) || !(low < high) || !Float.isFinite(high - low))
            throw new IllegalArgumentException("an input range needs finite low < high, got [" + low + ", " + high + "]");
    }

    /** Whether inputs are used as they are. */
    public boolean isUnit() {
        return low == 0f && high == 1f;
    }

    /** high − low: the factor a Lanes input is scaled by. */
    public float scale() {
        return high - low;
    }

    @Override
    public String toString() {
        return "[" + low + ", " + high + "]";
    }
}
