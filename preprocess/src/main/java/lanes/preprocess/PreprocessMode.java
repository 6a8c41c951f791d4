package lanes.preprocess;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How {@link ImagePreprocessor} turns an image into the 784 inputs of a 28 x 28 digit model. */
public enum PreprocessMode {
    /**
     * The MNIST recipe, for photos and drawings: find the ink whatever its polarity, remove the paper, crop
     * to the ink, fit it in 20 x 20 keeping the aspect ratio, and centre its mass in 28 x 28.
     */
    MNIST,
    /** The original tutorial's {@code judge_image}: Pillow-style grey, resize to 28 x 28, pixel &lt; 75 is ink. */
    SEED,
    /** No processing: the image must already be 28 x 28 in MNIST polarity (white ink on black). */
    NONE;

    /** The spelling on the command line: {@code mnist}, {@code seed}, {@code none}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads a command-line spelling, ignoring case and surrounding blanks. */
    public static PreprocessMode parse(String name) {
        if (name != null) {
            String n = name.strip();
            for (PreprocessMode m : values()) {
                if (m.name().equalsIgnoreCase(n)) return m;
            }
        }
        String valid = Arrays.stream(values()).map(PreprocessMode::cliName).collect(Collectors.joining(", "));
        throw new IllegalArgumentException("unknown preprocessing mode " + (name == null ? "(null)" : "'" + name + "'")
                + "; valid modes: " + valid);
    }

    /** The name as the command line spells it: mnist, seed, none. */
    @Override
    public String toString() {
        return cliName();
    }
}
