package lanes.trainer;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Objects;

/**
 * Keras' progress display. On a terminal the bar is redrawn in place with an ETA (at most ten times
 * a second, so drawing never costs training time); elsewhere (CI logs, pipes) one line per epoch:
 * <pre>
 * Epoch 3/10
 * 1875/1875 [==============================] - 0s 98us/step - loss: 0.2577 - sparse_categorical_accuracy: 0.9250 - val_loss: 0.1379 - val_sparse_categorical_accuracy: 0.9584
 * </pre>
 */
public final class KerasProgress implements FitListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final boolean terminal;
    private long lastDraw;
    private int lastLength;

    public KerasProgress(PrintStream out, boolean terminal) {
        this.out = Objects.requireNonNull(out, "out");
        this.terminal = terminal;
    }

    @Override
    public void epochStart(int epoch, int epochs, int steps) {
        out.println("Epoch " + epoch + "/" + epochs);
        lastDraw = System.nanoTime();
        lastLength = 0;
    }

    @Override
    public void stepEnd(int epoch, int step, int steps, double loss, double accuracy, long epochNanos) {
        if (!terminal || step == steps) return;
        long now = System.nanoTime();
        if (now - lastDraw < REDRAW_NANOS) return;
        lastDraw = now;
        double eta = epochNanos / 1e9 / step * (steps - step);
        String line = counter(step, steps) + " " + bar(step, steps) + " - ETA: " + seconds(eta)
                + String.format(Locale.ROOT, " - loss: %.4f - sparse_categorical_accuracy: %.4f", loss, accuracy);
        draw(line);
    }

    @Override
    public void epochEnd(EpochResult r) {
        StringBuilder line = new StringBuilder()
                .append(counter(r.steps(), r.steps())).append(' ').append(bar(r.steps(), r.steps()))
                .append(" - ").append(seconds(r.seconds())).append(' ').append(perStep(r.seconds() / r.steps()))
                .append(String.format(Locale.ROOT, " - loss: %.4f - sparse_categorical_accuracy: %.4f", r.loss(), r.accuracy()));
        if (!Double.isNaN(r.valLoss())) {
            line.append(String.format(Locale.ROOT, " - val_loss: %.4f - val_sparse_categorical_accuracy: %.4f",
                    r.valLoss(), r.valAccuracy()));
        }
        if (terminal) draw(line.toString()); else out.print(line);
        out.println();
        out.flush();
    }

    private void draw(String line) {
        StringBuilder s = new StringBuilder("\r").append(line);
        for (int i = line.length(); i < lastLength; i++) s.append(' ');
        lastLength = line.length();
        out.print(s);
        out.flush();
    }

    static String counter(int step, int steps) {
        String total = Integer.toString(steps);
        String cur = Integer.toString(step);
        return " ".repeat(total.length() - cur.length()) + cur + "/" + total;
    }

    static String bar(int step, int steps) {
        int filled = (int) ((long) WIDTH * step / steps);
        StringBuilder b = new StringBuilder("[");
        if (step >= steps) {
            b.append("=".repeat(WIDTH));
        } else {
            if (filled > 0) b.append("=".repeat(filled - 1)).append('>');
            b.append(".".repeat(WIDTH - filled));
        }
        return b.append(']').toString();
    }

    static String seconds(double s) {
        return Math.round(s) + "s";
    }

    static String perStep(double s) {
        if (s >= 1) return Math.round(s) + "s/step";
        if (s >= 1e-3) return Math.round(s * 1e3) + "ms/step";
        return Math.round(s * 1e6) + "us/step";
    }
}
