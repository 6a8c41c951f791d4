package lanes.engine;

import java.io.IOException;

/**
 * Input Lanes cannot use, from a named source: the message is {@code "<source>: <problem>"}, ready to
 * show a user, and both parts are available on their own (tools print {@code FILE: problem}).
 * Subclasses say what kind of input it was.
 */
public abstract class BadInputException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    protected BadInputException(String source, String problem, Throwable cause) {
        super(source + ": " + problem, cause);
        this.source = source;
        this.problem = problem;
    }

    /** The file, stream or other label of the input, as shown to the user. */
    public String source() {
        return source;
    }

    /** What is wrong with it, without the source. */
    public String problem() {
        return problem;
    }
}
