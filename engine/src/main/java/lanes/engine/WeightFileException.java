package lanes.engine;

/**
 * A weight file that cannot be loaded: unreadable, not a weight file, from an unsupported format version,
 * damaged, or holding values a network cannot use. The message names the file (or stream source) and
 * what is wrong with it.
 */
public final class WeightFileException extends BadInputException {
    private static final long serialVersionUID = 1L;

    /**
     * @param source  the file or stream the weights were read from, as shown to the user
     * @param problem what is wrong, without the source
     */
    public WeightFileException(String source, String problem) {
        this(source, problem, null);
    }

    public WeightFileException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }
}
