package lanes.trainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    private static final float BASE = 1e-3f;

    @Test
    void constantIsTheBaseAtEveryStep() {
        LearningRateSchedule.Run r = LearningRateSchedule.parse("constant").start(BASE, 5, 7);
        for (int e = 1; e <= 5; e++) for (int s = 0; s < 7; s++) assertEquals(BASE, r.rate(e, s), 0f);
        assertTrue(LearningRateSchedule.parse("constant") == LearningRateSchedule.CONSTANT);
    }

    @Test
    void cosineDecaysPerStepFromTheBaseToNearlyZero() {
        int epochs = 4, steps = 10; // 40 steps in all
        LearningRateSchedule.Run r = LearningRateSchedule.parse("cosine").start(BASE, epochs, steps);
        assertEquals(BASE, r.rate(1, 0), 0f, "the first step has the base exactly");
        assertEquals(BASE / 2, r.rate(3, 0), 1e-10f, "step 20 of 40 is half way down");
        assertEquals((float) (BASE * 0.5 * (1 + Math.cos(Math.PI * 9 / 40))), r.rate(1, 9), 0f);
        assertEquals((float) (BASE * 0.5 * (1 + Math.cos(Math.PI * 39 / 40))), r.rate(4, 9), 0f);
        assertTrue(r.rate(4, 9) < BASE * 0.002f && r.rate(4, 9) > 0, "the last step is nearly 0: " + r.rate(4, 9));
        float previous = Float.POSITIVE_INFINITY;
        for (int e = 1; e <= epochs; e++) {
            for (int s = 0; s < steps; s++) {
                assertTrue(r.rate(e, s) < previous, "falls at every step: epoch " + e + " step " + s);
                previous = r.rate(e, s);
            }
        }
    }

    @Test
    void stepMultipliesEveryNEpochs() {
        LearningRateSchedule.Run r = LearningRateSchedule.parse("step:0.5@10").start(BASE, 30, 3);
        assertEquals(BASE, r.rate(1, 0), 0f);
        assertEquals(BASE, r.rate(10, 2), 0f);
        assertEquals(BASE / 2, r.rate(11, 0), 0f);
        assertEquals(BASE / 2, r.rate(20, 1), 0f);
        assertEquals(BASE / 4, r.rate(21, 0), 0f);
    }

    @Test
    void exponentialIsTheBaseTimesRateToTheEpochsBefore() {
        LearningRateSchedule.Run r = LearningRateSchedule.parse("exponential:0.9").start(BASE, 5, 3);
        assertEquals(BASE, r.rate(1, 2), 0f);
        assertEquals((float) (BASE * 0.9), r.rate(2, 0), 0f);
        assertEquals((float) (BASE * Math.pow(0.9, 4)), r.rate(5, 1), 0f);
    }

    @Test
    void plateauReducesAfterPatienceEpochsWithoutAnImprovementOfMinDelta() {
        LearningRateSchedule s = LearningRateSchedule.parse("plateau:0.5@2");
        assertTrue(s.needsValidation());
        LearningRateSchedule.Run r = s.start(BASE, 10, 3);
        double[] valLoss = {1.0, 0.9, 0.89995, 0.95, /* reduced */ 0.8, 0.85, Double.NaN /* reduced */, 0.7};
        float[] expected = {BASE, BASE, BASE, BASE, BASE / 2, BASE / 2, BASE / 2, BASE / 4};
        for (int e = 0; e < valLoss.length; e++) {
            assertEquals(expected[e], r.rate(e + 1, 0), 0f, "epoch " + (e + 1));
            r.epochEnd(valLoss[e]);
        }
        assertEquals(BASE / 4, r.rate(9, 0), 0f, "an improvement resets the count");
    }

    @Test
    void parsesEveryFormAndPrintsItBack() {
        for (String spec : new String[] {"constant", "cosine", "step:0.5@10", "step:2@1", "exponential:0.95", "plateau:0.2@3"}) {
            assertEquals(spec, LearningRateSchedule.parse(spec).toString());
        }
        assertInstanceOf(LearningRateSchedule.Cosine.class, LearningRateSchedule.parse("  Cosine "));
        assertEquals(new LearningRateSchedule.Step(0.5, 1), LearningRateSchedule.parse("step:.5@1"));
        assertEquals(new LearningRateSchedule.Exponential(0.5), LearningRateSchedule.parse("exponential:5e-1"));
        assertEquals(new LearningRateSchedule.Plateau(0.1, 4), LearningRateSchedule.parse("plateau:0.1@4"));
    }

    @Test
    void refusesBadSpecsNamingThePartAndListingTheForms() {
        String[][] cases = {
                {"", "unknown schedule ''"},
                {"linear", "unknown schedule 'linear'"},
                {"cosine:3", "'cosine' takes no parameters, got '3'"},
                {"step", "'step' needs FACTOR@EPOCHS"},
                {"step:0.5", "has no '@'"},
                {"step:0.5@0", "EPOCHS must be >= 1, got 0"},
                {"step:abc@2", "FACTOR must be a decimal number, got 'abc'"},
                {"step:0.5@x", "EPOCHS must be a whole number, got 'x'"},
                {"step:-1@2", "FACTOR must be a decimal number, got '-1'"},
                {"step:0@2", "FACTOR must be finite and > 0, got 0.0"},
                {"step:NaN@2", "FACTOR must be a decimal number, got 'NaN'"},
                {"step:0.5@99999999999", "EPOCHS is too large"},
                {"exponential", "needs a RATE"},
                {"exponential:0", "RATE must be finite and > 0"},
                {"exponential:1e999", "RATE must be finite and > 0, got Infinity"},
                {"exponential:0x1p-1", "RATE must be a decimal number"},
                {"plateau:1@2", "plateau FACTOR must be between 0 and 1"},
                {"plateau:0.5@0", "plateau PATIENCE must be >= 1"},
                {"plateau:0.5", "write plateau:FACTOR@PATIENCE"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
            assertTrue(e.getMessage().startsWith("learning-rate schedule '" + c[0] + "': "), e.getMessage());
            assertTrue(e.getMessage().endsWith("; valid: " + LearningRateSchedule.FORMS), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse(null));
    }
}
