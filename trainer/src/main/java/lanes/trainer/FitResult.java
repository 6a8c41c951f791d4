package lanes.trainer;

import java.util.List;

/**
 * What {@link Trainer#fit(Samples, Samples, int, int, long, FitListener, FitOptions)} did: Keras' History
 * with what its EarlyStopping callback reports.
 *
 * @param history       one result per epoch trained: fewer than asked when training stopped early
 * @param learningRates the learning rate of each epoch's last step (Keras logs it as "learning_rate")
 * @param bestEpoch     the epoch with the lowest val_loss (1-based; the first of equals), or 0 without
 *                      validation data or when no val_loss was a number
 * @param stoppedEarly  true when early stopping ended training before the last epoch asked for
 * @param weightsEpoch  the epoch whose weights the network holds now: bestEpoch when early stopping
 *                      restored them, else the last epoch trained
 */
public record FitResult(List<EpochResult> history, List<Float> learningRates, int bestEpoch,
                        boolean stoppedEarly, int weightsEpoch) {

    public FitResult {
        history = List.copyOf(history);
        learningRates = List.copyOf(learningRates);
    }

    /** The result of the epoch whose weights the network holds (the one to report with a saved model). */
    public EpochResult kept() {
        return history.get(weightsEpoch - 1);
    }

    /** True when the network holds the weights of an epoch before the last one trained. */
    public boolean restoredBest() {
        return weightsEpoch != history.size();
    }
}
