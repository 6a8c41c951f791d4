/**
 * The engine applications embed: the weight file, {@code Model} and {@code Predictor}, and JFR events.
 * Image preprocessing is the module {@code dev.lanes.preprocess}, so the engine needs java.base alone.
 *
 * <p>JFR is optional ({@code requires static}): events are emitted when {@code jdk.jfr} is in the runtime
 * and resolved, which {@code -XX:StartFlightRecording} or {@code --add-modules jdk.jfr} does.
 */
module dev.lanes.engine {
    requires transitive dev.lanes.kernels;
    requires static jdk.jfr;

    exports lanes.engine;
}
