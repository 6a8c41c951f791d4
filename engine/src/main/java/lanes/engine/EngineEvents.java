package lanes.engine;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JFR events of the engine, disabled unless a recording enables them (tools/lanes.jfc does). When a
 * recording does not enable them, {@code shouldCommit()} folds to false and the event object is
 * scalar-replaced, so the predict hot path stays allocation-free.
 */
final class EngineEvents {
    private EngineEvents() {}

    @Name("lanes.ModelLoad")
    @Label("Model load")
    @Category({"Lanes", "Engine"})
    @Description("A weight file read, validated and laid out for prediction")
    @Enabled(false)
    static final class ModelLoad extends Event {
        @Label("Source") String source;
        @Label("Layers") int layers;
        @Label("Parameters") long parameters;
    }

    @Name("lanes.Predict")
    @Label("Predict")
    @Category({"Lanes", "Engine"})
    @Description("One predict call: a single image or a batch")
    @Enabled(false)
    @StackTrace(false)
    static final class Predict extends Event {
        @Label("Batch size") int batchSize;
    }
}
