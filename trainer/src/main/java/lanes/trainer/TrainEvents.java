package lanes.trainer;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * JFR events of training. Disabled unless a recording enables them (tools/lanes.jfc does); when
 * disabled, {@code shouldCommit()} is a constant false that the JIT folds away, so they cost nothing;
 * without JFR running at all, Trainer never loads them ({@link lanes.engine.JfrSupport}).
 */
final class TrainEvents {
    private TrainEvents() {}

    @Name("lanes.TrainEpoch")
    @Label("Training epoch")
    @Category({"Lanes", "Training"})
    @Description("One epoch of Trainer.fit: mean loss and accuracy, throughput")
    @Enabled(false)
    @StackTrace(false)
    static final class Epoch extends Event {
        @Label("Epoch") int epoch;
        @Label("Examples") long samples;
        @Label("Loss") double loss;
        @Label("Accuracy") double accuracy;
        @Label("Validation loss") double valLoss;
        @Label("Validation accuracy") double valAccuracy;
        @Label("Examples per second") double samplesPerSecond;
    }

    @Name("lanes.TrainStep")
    @Label("Training step")
    @Category({"Lanes", "Training"})
    @Description("One optimisation step: forward, backward and Adam on one batch")
    @Enabled(false)
    @Threshold("1 ms")
    @StackTrace(false)
    static final class Step extends Event {
        @Label("Batch size") int batchSize;
        @Label("Loss") double loss;
    }

    /** One training step inside a lanes.TrainStep event; returns the step's summed loss and correct count. */
    static Trainer.BatchLoss step(java.util.function.Supplier<Trainer.BatchLoss> step, int rows) {
        Step e = new Step();
        e.begin();
        Trainer.BatchLoss loss = step.get();
        e.end();
        if (e.shouldCommit()) {
            e.batchSize = rows;
            e.loss = loss.loss() / rows;
            e.commit();
        }
        return loss;
    }

    /** Opens the epoch's lanes.TrainEpoch event as its training starts; pass it to {@link #epochEnd}. */
    static Object epochBegin() {
        Epoch e = new Epoch();
        e.begin();
        return e;
    }

    /**
     * Closes the event when the epoch's training ends, so its duration is the epoch's training time (the
     * {@code seconds} of the history), validation excluded, as it was recorded at 0 before.
     */
    static void epochTrained(Object event) {
        ((Epoch) event).end();
    }

    /** Fills in the epoch's results, validation included, and commits the event. */
    static void epochEnd(Object event, EpochResult r) {
        Epoch e = (Epoch) event;
        if (!e.shouldCommit()) return;
        e.epoch = r.epoch();
        e.samples = r.samples();
        e.loss = r.loss();
        e.accuracy = r.accuracy();
        e.valLoss = r.valLoss();
        e.valAccuracy = r.valAccuracy();
        e.samplesPerSecond = r.samples() / r.seconds();
        e.commit();
    }

}
