package lanes.serve;

import java.util.concurrent.atomic.AtomicReferenceArray;
import lanes.engine.Model;
import lanes.engine.Predictor;

/**
 * Predictors of one model, lent to requests. Every request runs on a new virtual thread, so
 * {@link Model#predict}'s per-thread scratch would be made afresh for each one (a thread-local map, two
 * buffers); a predictor borrowed here is used by one request at a time and then put back. Lock-free and
 * allocation-free once warm: a fixed array of slots, taken with getAndSet and returned with
 * compareAndSet; when every slot is empty a new predictor is made, when every slot is full one is dropped.
 * A reloaded model brings its own pool, so the old model's predictors go with it.
 */
final class Predictors {
    private static final int SLOTS = 64;
    private final Model model;
    private final AtomicReferenceArray<Predictor> slots = new AtomicReferenceArray<>(SLOTS);

    Predictors(Model model) {
        this.model = model;
    }

    Predictor take() {
        int start = (int) Thread.currentThread().threadId();
        for (int k = 0; k < SLOTS; k++) {
            int i = (start + k) & (SLOTS - 1);
            if (slots.get(i) != null) {
                Predictor p = slots.getAndSet(i, null);
                if (p != null) return p;
            }
        }
        return model.newPredictor();
    }

    void give(Predictor p) {
        int start = (int) Thread.currentThread().threadId();
        for (int k = 0; k < SLOTS; k++) {
            int i = (start + k) & (SLOTS - 1);
            if (slots.get(i) == null && slots.compareAndSet(i, null, p)) return;
        }
    }
}
