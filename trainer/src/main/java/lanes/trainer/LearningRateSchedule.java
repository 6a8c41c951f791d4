package lanes.trainer;

import java.util.Locale;

/**
 * How {@link Trainer#fit} moves Adam's learning rate, as {@code tools/train --lr-schedule} spells it.
 * Every schedule starts from the optimiser's rate when fit begins (the "base", {@code --lr}) and gives
 * the rate of each step before it runs:
 * <ul>
 * <li>{@code constant}: the base throughout: fit as it always was, bit for bit.</li>
 * <li>{@code cosine}: Keras' {@code CosineDecay(base, decay_steps = epochs × steps per epoch)}, per step:
 *     step i of the run (0-based) gets base·½(1 + cos(π·i / total)), so the first step has the base and
 *     the last one nearly 0. Per step rather than per epoch, as Keras does, so that the rate does not
 *     fall in a few large jumps on short runs.</li>
 * <li>{@code step:FACTOR@EPOCHS}: the base times FACTOR every EPOCHS epochs (step:0.5@10: epochs 1-10 at
 *     the base, 11-20 at half of it ...).</li>
 * <li>{@code exponential:RATE}: base·RATE^(epoch − 1), so epoch 1 has the base.</li>
 * <li>{@code plateau:FACTOR@PATIENCE}: Keras' {@code ReduceLROnPlateau(monitor="val_loss", factor,
 *     patience)} with its defaults (min_delta 1e-4, no cooldown, no floor): the rate is multiplied by
 *     FACTOR after PATIENCE epochs in a row whose val_loss is not below the best so far by 1e-4. Needs
 *     validation data.</li>
 * </ul>
 * Rates are computed in double from the float base and rounded to float once, so a factor of 1 (the
 * first step of cosine, the first epochs of step and exponential) gives the base exactly.
 */
public sealed interface LearningRateSchedule {

    /** The valid spellings, for error messages and {@code --help}. */
    String FORMS = "constant, cosine, step:FACTOR@EPOCHS (e.g. step:0.5@10), exponential:RATE (e.g. exponential:0.95),"
            + " plateau:FACTOR@PATIENCE (e.g. plateau:0.5@3)";

    LearningRateSchedule CONSTANT = new Constant();

    /** The rates of one run of fit. */
    interface Run {
        /** The rate of step {@code step} (0-based) of epoch {@code epoch} (1-based). */
        float rate(int epoch, int step);

        /** Called after each epoch with its validation loss (NaN without validation data). */
        default void epochEnd(double valLoss) {}
    }

    /** Starts a run of {@code epochs} epochs of {@code steps} steps each from the rate {@code base}. */
    Run start(float base, int epochs, int steps);

    /** True when the schedule reads val_loss, so fit needs validation data. */
    default boolean needsValidation() {
        return false;
    }

    record Constant() implements LearningRateSchedule {
        @Override
        public Run start(float base, int epochs, int steps) {
            return (epoch, step) -> base;
        }

        @Override
        public String toString() {
            return "constant";
        }
    }

    record Cosine() implements LearningRateSchedule {
        @Override
        public Run start(float base, int epochs, int steps) {
            double total = (double) epochs * steps;
            return (epoch, step) -> {
                double i = (double) (epoch - 1) * steps + step;
                return (float) (base * (0.5 * (1 + Math.cos(Math.PI * i / total))));
            };
        }

        @Override
        public String toString() {
            return "cosine";
        }
    }

    record Step(double factor, int everyEpochs) implements LearningRateSchedule {
        public Step {
            positive("step FACTOR", factor);
            if (everyEpochs < 1) throw new IllegalArgumentException("step EPOCHS must be >= 1, got " + everyEpochs);
        }

        @Override
        public Run start(float base, int epochs, int steps) {
            return (epoch, step) -> (float) (base * Math.pow(factor, (epoch - 1) / everyEpochs));
        }

        @Override
        public String toString() {
            return "step:" + number(factor) + "@" + everyEpochs;
        }
    }

    record Exponential(double rate) implements LearningRateSchedule {
        public Exponential {
            positive("exponential RATE", rate);
        }

        @Override
        public Run start(float base, int epochs, int steps) {
            return (epoch, step) -> (float) (base * Math.pow(rate, epoch - 1));
        }

        @Override
        public String toString() {
            return "exponential:" + number(rate);
        }
    }

    record Plateau(double factor, int patience) implements LearningRateSchedule {
        /** Keras' ReduceLROnPlateau default: a val_loss must beat the best by this much to count as better. */
        static final double MIN_DELTA = 1e-4;

        public Plateau {
            if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException(
                    "plateau FACTOR must be between 0 and 1 (exclusive), got " + factor);
            if (patience < 1) throw new IllegalArgumentException("plateau PATIENCE must be >= 1, got " + patience);
        }

        @Override
        public Run start(float base, int epochs, int steps) {
            return new Run() {
                float lr = base;
                double best = Double.POSITIVE_INFINITY;
                int wait;

                @Override
                public float rate(int epoch, int step) {
                    return lr;
                }

                @Override
                public void epochEnd(double valLoss) {
                    if (valLoss < best - MIN_DELTA) { // NaN never is
                        best = valLoss;
                        wait = 0;
                    } else if (++wait >= patience) {
                        lr = (float) (lr * factor);
                        wait = 0;
                    }
                }
            };
        }

        @Override
        public boolean needsValidation() {
            return true;
        }

        @Override
        public String toString() {
            return "plateau:" + number(factor) + "@" + patience;
        }
    }

    /**
     * The schedule {@code spec} names, one of {@link #FORMS}.
     *
     * @throws IllegalArgumentException naming the part that is wrong and listing the valid forms
     */
    static LearningRateSchedule parse(String spec) {
        if (spec == null) throw new IllegalArgumentException("no learning-rate schedule given; valid: " + FORMS);
        String s = spec.strip();
        int colon = s.indexOf(':');
        String kind = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String args = colon < 0 ? null : s.substring(colon + 1);
        try {
            switch (kind) {
                case "constant", "cosine" -> {
                    if (args != null) throw new IllegalArgumentException("'" + kind + "' takes no parameters, got '" + args + "'");
                    return kind.equals("constant") ? CONSTANT : new Cosine();
                }
                case "step", "plateau" -> {
                    String what = kind.equals("step") ? "EPOCHS" : "PATIENCE";
                    if (args == null) throw new IllegalArgumentException("'" + kind + "' needs FACTOR@" + what);
                    int at = args.indexOf('@');
                    if (at < 0) throw new IllegalArgumentException(
                            "'" + kind + ":" + args + "' has no '@': write " + kind + ":FACTOR@" + what);
                    double factor = decimal("FACTOR", args.substring(0, at));
                    int count = whole(what, args.substring(at + 1));
                    return kind.equals("step") ? new Step(factor, count) : new Plateau(factor, count);
                }
                case "exponential" -> {
                    if (args == null) throw new IllegalArgumentException("'exponential' needs a RATE: exponential:RATE");
                    return new Exponential(decimal("RATE", args));
                }
                default -> throw new IllegalArgumentException("unknown schedule '" + kind + "'");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("learning-rate schedule '" + spec + "': " + e.getMessage()
                    + "; valid: " + FORMS, e);
        }
    }

    /** A plain decimal ("0.5", "5e-1"): Double.parseDouble alone would also take "NaN", "0x1p-1" and "0.5d". */
    private static double decimal(String what, String text) {
        if (!text.matches("(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) throw new IllegalArgumentException(
                what + " must be a decimal number, got '" + text + "'");
        return Double.parseDouble(text);
    }

    private static int whole(String what, String text) {
        if (!text.matches("\\d+")) throw new IllegalArgumentException(what + " must be a whole number, got '" + text + "'");
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is too large, got " + text);
        }
    }

    private static void positive(String what, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw new IllegalArgumentException(
                what + " must be finite and > 0, got " + value);
    }

    /** A factor as the user would write it: 0.5, not 0.50000; 2, not 2.0. */
    private static String number(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
