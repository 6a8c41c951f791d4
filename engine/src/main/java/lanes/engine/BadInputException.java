package lanes.engine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Input Lanes cannot use, from a named source: the message is {@code "<source>: <problem>"}, ready to
 * show a user, and both parts are available on their own (tools print {@code FILE: problem}).
 * Subclasses say what kind of input it was.
 *
 * <p>This is also the one place that puts a failure underneath bad input into words
 * ({@link #problem(Throwable, String)}, {@link #reason(FileSystemException)}), so that a weight file, an
 * image and a tool's output file that cannot be read or written are all described alike.
 */
public abstract class BadInputException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String problem;

    protected BadInputException(String source, String problem, Throwable cause) {
        this(source, problem, source + ": " + problem, cause);
    }

    /**
     * For a problem that spans inputs (images against their labels): {@code message} names every input
     * involved, and is shown as it is rather than as {@code source: problem}.
     */
    protected BadInputException(String source, String problem, String message, Throwable cause) {
        super(message, cause);
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

    /**
     * Why an operation on an input failed, in words for a user. A file-system failure is its
     * {@link #reason(FileSystemException) reason}, followed by the path in parentheses unless that path is
     * {@code named} (the caller shows it already); any other failure is its message (its type when it has
     * none), followed by its cause's in parentheses.
     */
    public static String problem(Throwable e, String named) {
        if (e instanceof FileSystemException f) {
            String reason = reason(f);
            if (f.getFile() == null || (f.getFile().equals(named) && f.getOtherFile() == null)) return reason;
            return reason + " (" + f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ")";
        }
        String s = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        Throwable cause = e.getCause();
        if (cause != null && cause != e) {
            s += " (" + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()) + ")";
        }
        return s;
    }

    /**
     * A file-system failure in words, without the file: "permission denied", "P is not a directory" (a
     * path through a file, which the JDK reports for the whole path), "not a directory", the JDK's own
     * reason ("Read-only file system", or a reason Lanes gave), "no such file or directory", "already
     * exists", else what kind of failure it was. java.nio keeps the file and the reason apart and prints
     * them as a bare class name and path; this puts the reason back.
     */
    public static String reason(FileSystemException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        Path parent = parent(e.getFile());
        if (parent != null && Files.exists(parent) && !Files.isDirectory(parent)) return parent + " is not a directory";
        if (e instanceof NotDirectoryException) return "not a directory";
        String r = e.getReason();
        if (r != null && !r.isBlank()) return r;
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileAlreadyExistsException) return "already exists";
        return e.getClass().getSimpleName();
    }

    private static Path parent(String file) {
        if (file == null) return null;
        try {
            return Path.of(file).getParent();
        } catch (InvalidPathException e) { // a path from another file system: no parent to look at here
            return null;
        }
    }
}
