/**
 * The engine applications embed: the weight file, {@code Model} and {@code Predictor}, image
 * preprocessing and JFR events.
 *
 * <p>JFR is optional ({@code requires static}): events are emitted when {@code jdk.jfr} is in the runtime
 * and resolved, which {@code -XX:StartFlightRecording} or {@code --add-modules jdk.jfr} does.
 */
module dev.lanes.engine {
    requires transitive dev.lanes.kernels;
    requires static jdk.jfr;
    // ImagePreprocessor reads images with javax.imageio. When it moves to a module of its own, this
    // requirement moves with it and the engine needs java.base alone.
    requires java.desktop;

    exports lanes.engine;
}
