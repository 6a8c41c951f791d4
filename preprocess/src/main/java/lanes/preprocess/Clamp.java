package lanes.preprocess;

/** Clamping, in one place. */
final class Clamp {
    private Clamp() {}

    static int between(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    static float unit(float v) {
        return v > 0f ? Math.min(v, 1f) : 0f; // NaN -> 0
    }
}
