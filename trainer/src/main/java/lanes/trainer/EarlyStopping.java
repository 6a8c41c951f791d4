package lanes.trainer;

/**
 * Keras' {@code EarlyStopping(monitor="val_loss", min_delta=0, patience, restore_best_weights=True)}
 * inside {@link Trainer#fit}: tracks the best val_loss (always, for {@link FitResult#bestEpoch}) and,
 * with a patience, a copy of that epoch's parameters.
 *
 * <p>Unlike Keras, the best weights are restored also when the run reaches its last epoch without
 * stopping: Keras keeps the last epoch's weights then (restore_best_weights acts only on a stop), which
 * surprises its users, and a saved model should be the best one the run saw.
 */
final class EarlyStopping {
    private final int patience;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch, wait;
    private float[] bestParams;

    EarlyStopping(int patience) {
        this.patience = patience;
    }

    /** After epoch {@code epoch} whose val_loss is {@code valLoss}: true when training should stop. */
    boolean epochEnd(int epoch, double valLoss, float[] params) {
        if (valLoss < best) { // NaN never improves
            best = valLoss;
            bestEpoch = epoch;
            wait = 0;
            if (patience > 0) {
                if (bestParams == null) bestParams = params.clone();
                else System.arraycopy(params, 0, bestParams, 0, params.length);
            }
            return false;
        }
        return patience > 0 && ++wait >= patience;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    /** Puts the best epoch's parameters back; returns the epoch whose weights params holds afterwards. */
    int restore(float[] params, int lastEpoch) {
        if (bestParams == null) return lastEpoch;
        System.arraycopy(bestParams, 0, params, 0, params.length);
        return bestEpoch;
    }
}
