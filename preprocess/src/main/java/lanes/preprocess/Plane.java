package lanes.preprocess;

/** A single-channel image between stages: {@code width x height} values, row-major. */
record Plane(float[] values, int width, int height) {
}
