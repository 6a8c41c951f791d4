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

    /** Model loading inside a lanes.ModelLoad event; a load that fails records none. */
    static Model load(Model.Loader loader) throws WeightFileException {
        ModelLoad event = new ModelLoad();
        event.begin();
        Model m = loader.load();
        event.end();
        if (event.shouldCommit()) {
            event.source = m.source();
            event.layers = m.weights().layers().size();
            event.parameters = m.weights().parameterCount();
            event.commit();
        }
        return m;
    }

    /** One single-image prediction inside a lanes.Predict event. */
    static int predict(Model m, Scratch s, float[] input, float[] probabilities) {
        Predict event = new Predict();
        event.begin();
        int label = m.run(s, input, probabilities);
        event.end();
        if (event.shouldCommit()) {
            event.batchSize = 1;
            event.commit();
        }
        return label;
    }

    /** A batch prediction inside a lanes.Predict event. */
    static void predictBatch(Runnable batch, int count) {
        Predict event = new Predict();
        event.begin();
        batch.run();
        event.end();
        if (event.shouldCommit()) {
            event.batchSize = count;
            event.commit();
        }
    }

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
