package lanes.engine;

/** An image that cannot become a model input: unreadable, too large, corrupt, or with no ink. */
public final class ImageException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ImageException(String source, String problem) {
        this(source, problem, null);
    }

    public ImageException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }
}
