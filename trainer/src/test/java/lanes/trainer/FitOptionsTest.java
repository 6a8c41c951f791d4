package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;
import lanes.engine.Activation;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;

/** fit with a learning-rate schedule and early stopping (FitOptions). */
class FitOptionsTest {

    private static final float LR = 1e-2f;
    private static final int BATCH = 16;

    private static Network small() {
        return Network.builder(48).dense(16, Activation.RELU).dense(4, Activation.SOFTMAX).build(5);
    }

    /**
     * What fit must do, spelled out with {@link Trainer#trainBatch}: the same shuffle, then one Adam step per
     * batch, each at the rate {@code rate(epoch, step)} gives.
     */
    private static float[] reference(Samples train, int epochs, long seed, IntBinaryOperator rateBits) {
        Network net = small();
        try (BatchScheduler s = new BatchScheduler(2)) {
            Adam adam = new Adam(LR, net.parameterCount());
            Trainer t = new Trainer(net, adam, KernelsProvider.get(), s);
            SplittableRandom rnd = new SplittableRandom(seed);
            int[] order = new int[train.count()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            int f = train.features(), steps = (train.count() + BATCH - 1) / BATCH;
            for (int epoch = 1; epoch <= epochs; epoch++) {
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rnd.nextInt(i + 1), tmp = order[i];
                    order[i] = order[j];
                    order[j] = tmp;
                }
                byte[] px = new byte[train.count() * f], labels = new byte[train.count()];
                for (int i = 0; i < order.length; i++) {
                    System.arraycopy(train.pixels(), order[i] * f, px, i * f, f);
                    labels[i] = train.labels()[order[i]];
                }
                Samples shuffled = new Samples(px, labels, train.count(), f);
                for (int step = 0; step < steps; step++) {
                    adam.setLearningRate(Float.intBitsToFloat(rateBits.applyAsInt(epoch, step)));
                    int from = step * BATCH;
                    t.trainBatch(shuffled, from, Math.min(BATCH, train.count() - from));
                }
            }
        }
        return net.parameters();
    }

    /** fit on a fresh network; returns its parameters. */
    private static float[] fit(Samples train, Samples val, int epochs, FitOptions options, List<FitResult> results) {
        Network net = small();
        try (BatchScheduler s = new BatchScheduler(2)) {
            Adam adam = new Adam(LR, net.parameterCount());
            FitResult r = new Trainer(net, adam, KernelsProvider.get(), s).fit(train, val, epochs, BATCH, 9, FitListener.NONE, options);
            assertEquals(LR, adam.learningRate(), 0f, "Adam has its own rate back after fit");
            if (results != null) results.add(r);
        }
        return net.parameters();
    }

    @Test
    void theConstantScheduleTrainsToTheBitsOfPlainAdamSteps() {
        Samples train = TestData.bands(70, 48, 4, 1), val = TestData.bands(30, 48, 4, 2);
        float[] plain = reference(train, 3, 9, (e, s) -> Float.floatToIntBits(LR));
        assertArrayEquals(plain, fit(train, val, 3, FitOptions.DEFAULTS, null));
        assertArrayEquals(plain, fit(train, null, 3, FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse("constant")), null));
        Network net = small();
        try (BatchScheduler s = new BatchScheduler(1)) {
            List<EpochResult> h = new Trainer(net, new Adam(LR, net.parameterCount()), KernelsProvider.get(), s)
                    .fit(train, val, 3, BATCH, 9, FitListener.NONE);
            assertEquals(3, h.size());
        }
        assertArrayEquals(plain, net.parameters(), "the original fit, on one thread");
        assertFalse(Arrays.equals(plain, small().parameters()), "training moved the weights");
    }

    @Test
    void aScheduleSetsAdamsRateBeforeEachStep() {
        Samples train = TestData.bands(70, 48, 4, 1);
        int steps = 5, epochs = 3;
        LearningRateSchedule.Run cosine = new LearningRateSchedule.Cosine().start(LR, epochs, steps);
        float[] expected = reference(train, epochs, 9, (e, s) -> Float.floatToIntBits(cosine.rate(e, s)));
        List<FitResult> results = new ArrayList<>();
        assertArrayEquals(expected, fit(train, null, epochs, FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse("cosine")), results));
        assertEquals(List.of(cosine.rate(1, 4), cosine.rate(2, 4), cosine.rate(3, 4)), results.get(0).learningRates());
        assertFalse(Arrays.equals(expected, reference(train, epochs, 9, (e, s) -> Float.floatToIntBits(LR))), "cosine is not constant");

        float[] halving = reference(train, epochs, 9, (e, s) -> Float.floatToIntBits(LR / (1 << (e - 1))));
        assertArrayEquals(halving, fit(train, null, epochs, FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse("step:0.5@1")), results));
        assertEquals(List.of(LR, LR / 2, LR / 4), results.get(1).learningRates());
    }

    /**
     * Validation examples one in five of which contradict training: val_loss falls for an epoch or two, then
     * rises as the network grows sure of itself (epochs 1-4 here: 0.83, 0.68, 0.84, 1.05).
     */
    private static Samples contradicting(int count, long seed) {
        Samples s = TestData.bands(count, 48, 4, seed);
        byte[] labels = s.labels().clone();
        for (int i = 0; i < labels.length; i++) if (i % 5 == 0) labels[i] = (byte) ((labels[i] + 1) % 4);
        return new Samples(s.pixels(), labels, count, 48);
    }

    @Test
    void earlyStoppingStopsAndRestoresTheBestEpochsWeightsBitForBit() {
        Samples train = TestData.bands(120, 48, 4, 3), val = contradicting(60, 4);
        Network net = small();
        List<float[]> snapshots = new ArrayList<>();
        FitResult[] heard = new FitResult[1];
        FitListener listener = new FitListener() {
            @Override
            public void epochEnd(EpochResult r) {
                snapshots.add(net.parameters());
            }

            @Override
            public void fitEnd(FitResult r) {
                heard[0] = r;
            }
        };
        int patience = 2;
        FitResult r;
        try (BatchScheduler s = new BatchScheduler(2)) {
            r = new Trainer(net, new Adam(LR, net.parameterCount()), KernelsProvider.get(), s)
                    .fit(train, val, 50, BATCH, 9, listener, FitOptions.DEFAULTS.withPatience(patience));
        }
        assertSame(r, heard[0], "the listener hears the result fit returns");
        assertTrue(r.stoppedEarly(), "stopped early: " + r.history());
        int best = 1;
        for (EpochResult e : r.history()) if (e.valLoss() < r.history().get(best - 1).valLoss()) best = e.epoch();
        assertEquals(best, r.bestEpoch());
        assertTrue(best > 1, "val_loss improved once, so the best is not simply the first epoch: " + r.history());
        assertEquals(best + patience, r.history().size(), "stops after `patience` epochs without improvement");
        assertEquals(best, r.weightsEpoch());
        assertTrue(r.restoredBest());
        assertSame(r.history().get(best - 1), r.kept());
        assertArrayEquals(snapshots.get(best - 1), net.parameters(), "the best epoch's weights, bit for bit");
        assertFalse(Arrays.equals(snapshots.get(snapshots.size() - 1), net.parameters()), "not the last epoch's");
    }

    @Test
    void withoutAStopTheBestWeightsAreStillRestoredAndWithoutPatienceTheLastAreKept() {
        Samples train = TestData.bands(120, 48, 4, 3), val = contradicting(60, 4);
        List<FitResult> results = new ArrayList<>();
        float[] longPatience = fit(train, val, 6, FitOptions.DEFAULTS.withPatience(100), results);
        float[] none = fit(train, val, 6, FitOptions.DEFAULTS, results);
        FitResult patient = results.get(0), plain = results.get(1);
        assertFalse(patient.stoppedEarly());
        assertEquals(6, patient.history().size());
        assertEquals(plain.bestEpoch(), patient.bestEpoch(), "the best epoch is reported either way");
        assertTrue(plain.bestEpoch() >= 1 && plain.bestEpoch() < 6, "val_loss rose before the end: " + plain.history());
        assertEquals(patient.bestEpoch(), patient.weightsEpoch());
        assertEquals(6, plain.weightsEpoch());
        assertFalse(plain.restoredBest());
        // The best epoch's weights are those of a run that ends there.
        assertArrayEquals(fit(train, val, patient.bestEpoch(), FitOptions.DEFAULTS, null), longPatience);
        assertFalse(Arrays.equals(none, longPatience));
    }

    @Test
    void plateauHalvesTheRateWhenValLossStalls() {
        Samples train = TestData.bands(120, 48, 4, 3), val = contradicting(60, 4);
        List<FitResult> results = new ArrayList<>();
        LearningRateSchedule plateau = LearningRateSchedule.parse("plateau:0.5@1");
        fit(train, val, 6, FitOptions.DEFAULTS.withSchedule(plateau), results);
        FitResult r = results.get(0);
        LearningRateSchedule.Run replay = plateau.start(LR, 6, 8);
        for (int e = 0; e < 6; e++) {
            assertEquals(replay.rate(e + 1, 0), r.learningRates().get(e), 0f, "epoch " + (e + 1));
            replay.epochEnd(r.history().get(e).valLoss());
        }
        assertTrue(r.learningRates().get(5) < LR, "reduced at least once: " + r.learningRates());
    }

    @Test
    void optionsThatWatchValLossNeedValidationData() {
        Samples train = TestData.bands(40, 48, 4, 3), empty = new Samples(new byte[0], new byte[0], 0, 48);
        Network net = small();
        float[] before = net.parameters();
        try (BatchScheduler s = new BatchScheduler(1)) {
            Trainer t = new Trainer(net, new Adam(LR, net.parameterCount()), KernelsProvider.get(), s);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.fit(train, null, 2, BATCH, 1, FitListener.NONE, FitOptions.DEFAULTS.withPatience(1)));
            assertEquals("early stopping (patience 1) watches val_loss, so it needs validation examples, and there are none", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> t.fit(train, empty, 2, BATCH, 1, FitListener.NONE,
                    FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse("plateau:0.5@2"))));
            assertTrue(e.getMessage().startsWith("the learning-rate schedule plateau:0.5@2 watches val_loss"), e.getMessage());
            assertThrows(NullPointerException.class, () -> t.fit(train, null, 2, BATCH, 1, FitListener.NONE, null));
        }
        assertArrayEquals(before, net.parameters(), "nothing trained");
        assertThrows(IllegalArgumentException.class, () -> FitOptions.DEFAULTS.withPatience(-1));
        assertThrows(NullPointerException.class, () -> FitOptions.DEFAULTS.withSchedule(null));
    }

    @Test
    void adamsRateIsSettableToAnyFiniteNonNegativeValue() {
        Adam adam = new Adam(LR, 3);
        adam.setLearningRate(0f);
        assertEquals(0f, adam.learningRate(), 0f);
        for (float bad : new float[] {-1e-3f, Float.NaN, Float.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> adam.setLearningRate(bad), Float.toString(bad));
        }
        assertEquals(0f, adam.learningRate(), 0f, "a refused rate leaves the rate alone");
    }
}
