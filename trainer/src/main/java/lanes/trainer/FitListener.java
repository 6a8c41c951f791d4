package lanes.trainer;

/** Callbacks from {@link Trainer#fit}; all on the training thread, in order. */
public interface FitListener {

    default void epochStart(int epoch, int epochs, int steps) {}

    /** After each step: running mean loss and accuracy of the epoch so far. */
    default void stepEnd(int epoch, int step, int steps, double loss, double accuracy, long epochNanos) {}

    default void epochEnd(EpochResult result) {}

    /** Once training is over: which epoch was best, whether it stopped early, whose weights the network holds. */
    default void fitEnd(FitResult result) {}

    FitListener NONE = new FitListener() {};
}
