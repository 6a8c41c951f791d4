package lanes.trainer;

/**
 * One epoch of {@link Trainer#fit}.
 *
 * @param seconds training time of the epoch (validation excluded)
 * @param loss    mean sparse categorical cross-entropy over the epoch's examples
 * @param valLoss NaN when there is no validation data
 */
public record EpochResult(int epoch, int epochs, int steps, long samples, double seconds,
                          double loss, double accuracy, double valLoss, double valAccuracy) {}
