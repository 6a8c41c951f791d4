package lanes.trainer;

import java.util.Objects;

/**
 * What {@link Trainer#fit(Samples, Samples, int, int, long, FitListener, FitOptions)} does beyond
 * Keras' plain {@code model.fit}: start from {@link #DEFAULTS} (fit as it always was) and change one
 * thing at a time, {@code FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse("cosine")).withPatience(3)},
 * so that options added later leave every caller compiling.
 *
 * @param schedule how the learning rate moves during the run
 * @param patience 0 for no early stopping; else Keras' {@code EarlyStopping(monitor="val_loss", patience,
 *                 restore_best_weights=True)}: training stops once val_loss has not improved for this many
 *                 epochs, and the network ends with the weights of its best epoch (needs validation data)
 */
public record FitOptions(LearningRateSchedule schedule, int patience) {

    public static final FitOptions DEFAULTS = new FitOptions(LearningRateSchedule.CONSTANT, 0);

    public FitOptions {
        Objects.requireNonNull(schedule, "schedule (use LearningRateSchedule.CONSTANT for none)");
        if (patience < 0) throw new IllegalArgumentException("patience must be >= 0 (0: no early stopping), got " + patience);
    }

    public FitOptions withSchedule(LearningRateSchedule schedule) {
        return new FitOptions(schedule, patience);
    }

    public FitOptions withPatience(int patience) {
        return new FitOptions(schedule, patience);
    }

    /** Why validation data is needed, or null when it is not. */
    String validationNeededBy() {
        if (patience > 0) return "early stopping (patience " + patience + ")";
        if (schedule.needsValidation()) return "the learning-rate schedule " + schedule;
        return null;
    }
}
