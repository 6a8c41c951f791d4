package lanes.engine;

import java.io.IOException;

/**
 * An image that cannot become a model input: unreadable, too large, corrupt, or with no ink. The message is
 * {@code "<source>: <problem>"}, ready to show a user.
 */
public final class ImageException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    public ImageException(String source, String problem) {
        this(source, problem, null);
    }

    public ImageException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file name or other label of the image. */
    public String source() {
        return source;
    }

    /** What is wrong with it, without the source. */
    public String problem() {
        return problem;
    }
}
