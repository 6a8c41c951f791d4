package lanes.preprocess;

import lanes.engine.BadInputException;

/**
 * An image that cannot become a model input: unreadable, too large, corrupt, or with no ink. When it failed
 * because memory ran out, its cause is the {@link OutOfMemoryError}, so a caller can say how to get more.
 */
public final class ImageException extends BadInputException {
    private static final long serialVersionUID = 1L;

    public ImageException(String source, String problem) {
        this(source, problem, null);
    }

    public ImageException(String source, String problem, Throwable cause) {
        super(source, problem, cause);
    }

    /** An image in which nothing stands out from the background. */
    static ImageException noInk(String name) {
        return new ImageException(name, "no ink found (blank image): nothing stands out from the background");
    }
}
