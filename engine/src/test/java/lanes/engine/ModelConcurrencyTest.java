package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One {@link Model} shared by many threads gives every thread exactly the answer a single thread gets:
 * the same label and bit-identical probabilities, call after call (the per-thread scratch must never
 * be shared, and nothing in a prediction may depend on timing).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ModelConcurrencyTest {

    static final int THREADS = 8;
    static final int CALLS_PER_THREAD = 100_000;
    static final int INPUTS = 500;

    /** Digit-like inputs: a seeded blob of ink (values in (0, 1]) on a zero background, about 20% inked. */
    static float[][] syntheticDigits(long seed, int count) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] inputs = new float[count][784];
        for (float[] x : inputs) {
            int cy = 8 + r.nextInt(12), cx = 8 + r.nextInt(12);
            int ry = 4 + r.nextInt(6), rx = 2 + r.nextInt(6);
            for (int y = 0; y < 28; y++) {
                for (int c = 0; c < 28; c++) {
                    double dy = (y - cy) / (double) ry, dx = (c - cx) / (double) rx;
                    double d = dy * dy + dx * dx;
                    if (d < 1 && r.nextInt(5) > 0) x[y * 28 + c] = (float) Math.min(1, 0.3 + r.nextDouble());
                }
            }
        }
        return inputs;
    }

    @Test
    void eightThreadsGetTheSingleThreadAnswersBitForBit() throws IOException, InterruptedException {
        Model model = Model.loadDefault();
        float[][] inputs = syntheticDigits(7, INPUTS);
        int outputs = model.outputs();

        // The reference: one thread, its own predictor.
        int[] labels = new int[INPUTS];
        float[][] probabilities = new float[INPUTS][outputs];
        Predictor single = model.newPredictor();
        for (int i = 0; i < INPUTS; i++) labels[i] = single.predict(inputs[i], probabilities[i]);
        int distinct = (int) java.util.Arrays.stream(labels).distinct().count();
        assertTrue(distinct >= 3, "the inputs should reach several classes, got " + distinct);

        AtomicReference<String> firstMismatch = new AtomicReference<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[THREADS];
        long[] checked = new long[THREADS];
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            threads[t] = Thread.ofPlatform().name("predict-" + t).start(() -> {
                float[] probs = new float[outputs];
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                try {
                    // Each thread walks the inputs in its own order, so threads work on different inputs at once.
                    for (int k = 0; k < CALLS_PER_THREAD && firstMismatch.get() == null; k++) {
                        int i = (int) ((k * (2L * id + 1) + 31L * id) % INPUTS);
                        int label;
                        if ((k & 3) == 3) {
                            label = model.predict(inputs[i]); // the label-only path
                        } else {
                            label = model.predict(inputs[i], probs);
                            for (int j = 0; j < outputs; j++) {
                                if (Float.floatToRawIntBits(probs[j]) != Float.floatToRawIntBits(probabilities[i][j])) {
                                    firstMismatch.compareAndSet(null, "thread " + id + ", call " + k + ", input " + i
                                            + ": probability " + j + " is " + probs[j] + ", single thread " + probabilities[i][j]);
                                }
                            }
                        }
                        if (label != labels[i]) firstMismatch.compareAndSet(null, "thread " + id + ", call " + k
                                + ", input " + i + ": label " + label + ", single thread " + labels[i]);
                        checked[id]++;
                    }
                } catch (Throwable e) {
                    firstMismatch.compareAndSet(null, "thread " + id + " failed: " + e);
                }
            });
        }
        start.countDown();
        for (Thread t : threads) t.join();
        assertNull(firstMismatch.get());
        for (int t = 0; t < THREADS; t++) assertEquals(CALLS_PER_THREAD, checked[t], "calls made by thread " + t);
    }
}
