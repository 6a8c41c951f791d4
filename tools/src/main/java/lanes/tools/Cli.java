package lanes.tools;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterDescription;
import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.util.Arrays;
import lanes.engine.BadInputException;

/**
 * The shared frame of every command: parse with JCommander, {@code --help}, and the exit codes
 * 0 (success), 1 (failure, one line on stderr naming what failed), 2 (usage error, with the usage).
 */
final class Cli {
    static final int OK = 0, FAILED = 1, USAGE = 2;

    private Cli() {}

    /** A command body; its checked exceptions become exit code 1 with their message. */
    @FunctionalInterface
    interface Body {
        int run() throws Exception;
    }

    /** A command's argument class: the {@code --help} flag they all share, and the checks of their own options. */
    abstract static class HasHelp {
        @Parameter(names = {"--help", "-h"}, help = true, description = "Show this help")
        boolean help;

        boolean help() {
            return help;
        }

        /**
         * The checks that need nothing but the arguments themselves, run after parsing and before the
         * body: throws {@link UsageException}. Writes nothing and reads no file's contents (at most whether
         * two paths name one file), so the whole of argument handling can be exercised without running the
         * command.
         */
        void check() {}
    }

    /** The usage error for a count option ({@code --epochs}, {@code --calls} ...) below 1. */
    static void atLeastOne(String option, int value) {
        if (value < 1) throw new UsageException(option + " must be >= 1, got " + value);
    }

    /** Parses {@code argv} into {@code args}; returns the exit code (the caller passes it to System.exit). */
    static int run(String program, HasHelp args, String[] argv, Body body) {
        return run(program, args, argv, System.out, System.err, body);
    }

    /** As {@link #run(String, HasHelp, String[], Body)}, with the help and messages going to the given streams. */
    static int run(String program, HasHelp args, String[] argv, java.io.PrintStream out, java.io.PrintStream err, Body body) {
        JCommander jc = commander(program, args);
        String error = parse(jc, argv);
        if (error != null) {
            err.println(program + ": " + error);
            StringBuilder usage = new StringBuilder();
            jc.getUsageFormatter().usage(usage);
            err.print(usage);
            return USAGE;
        }
        if (args.help()) {
            StringBuilder usage = new StringBuilder();
            jc.getUsageFormatter().usage(usage);
            out.print(usage);
            return OK;
        }
        try {
            args.check();
            return body.run();
        } catch (UsageException e) {
            err.println(program + ": " + e.getMessage());
            return USAGE;
        } catch (Exception e) {
            err.println(program + ": " + describe(e));
            return FAILED;
        } catch (OutOfMemoryError e) {
            err.println(program + ": " + outOfMemory());
            return FAILED;
        }
    }

    /**
     * The one line a failure prints. The file-system exceptions of java.nio carry the file and the reason in
     * separate fields and print as a bare class name and path ("AccessDeniedException: /data/x.gz"), so
     * they are put back together as "FILE: permission denied" (the words are
     * {@link BadInputException#reason}'s, as everywhere in Lanes); an exception without a message shows
     * its type rather than "null".
     */
    static String describe(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) e = u.getCause();
        if (e instanceof FileSystemException f && f.getFile() != null) {
            String path = f.getOtherFile() == null ? f.getFile() : f.getFile() + " -> " + f.getOtherFile();
            return path + ": " + BadInputException.reason(f);
        }
        String message = e.getMessage();
        if (message == null || message.isBlank()) return e.getClass().getSimpleName();
        boolean expected = e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof IllegalArgumentException || e instanceof IllegalStateException;
        return expected ? message : e.getClass().getSimpleName() + ": " + message;
    }

    /**
     * The same line after the caller has printed {@code named} ("FILE: " then this): bad input from that
     * source is its {@link BadInputException#problem() problem} alone, so the name is not said twice.
     */
    static String describe(Throwable e, String named) {
        if (e instanceof BadInputException bad && bad.source().equals(named)) return bad.problem();
        return describe(e);
    }

    /**
     * A failure with its causes, as one line: each cause that adds something, after " <- " (a network
     * error's own message is often null, and its cause says what happened). Plain I/O errors and bad input
     * show their message alone; other exceptions are prefixed with their type.
     */
    static String describeWithCauses(Throwable e) {
        StringBuilder sb = new StringBuilder();
        String last = null;
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            String m = t.getMessage();
            boolean plain = t.getClass() == IOException.class || t instanceof BadInputException;
            String part = t instanceof FileSystemException f && f.getFile() != null ? describe(t)
                    : (!plain || m == null ? t.getClass().getSimpleName() : "") + (m == null ? "" : (plain ? "" : ": ") + m);
            if (part.equals(last)) continue;
            if (!sb.isEmpty()) sb.append(" <- ");
            sb.append(part);
            last = part;
        }
        return sb.toString();
    }

    /** What to say when the heap runs out: the limit it ran into, and how to raise it through the launchers. */
    static String outOfMemory() {
        long max = Runtime.getRuntime().maxMemory();
        String limit = max == Long.MAX_VALUE ? "" : " (heap limit " + (max >> 20) + " MiB)";
        return "out of memory" + limit + "; give Java more with LANES_JAVA_OPTS=-Xmx<size>, e.g. LANES_JAVA_OPTS=-Xmx4g";
    }

    /** The parser every tool uses: no @file expansion, since "@2x.png" is an image to predict, not a file of arguments. */
    static JCommander commander(String program, Object args) {
        return JCommander.newBuilder().programName(program).addObject(args).expandAtSign(false).build();
    }

    /** Parses {@code argv} into the objects of {@code jc}; returns the usage error to report, or null. */
    static String parse(JCommander jc, String[] argv) {
        try {
            jc.parse(argv);
        } catch (ParameterException e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            // JCommander itself fails on some malformed command lines, such as "--data --" (an
            // ArrayIndexOutOfBoundsException): still a bad command line, so a usage error, not a crash.
            return "cannot parse the arguments " + Arrays.toString(argv) + " (" + e + ")";
        }
        String repeated = repeatedFlag(jc);
        return repeated == null ? null : "Can only specify option " + repeated + " once.";
    }

    /**
     * An on/off option given an even number of times, or null. JCommander flips such a flag at every
     * occurrence, so "--json --json" printed no JSON, and "-h -h" skipped the help and the required-option
     * check alike and ran the command without its required options (an option that takes a value it already
     * refuses to take twice). Read from the parse itself, not from the arguments: seen, yet back at its
     * default of false. However JCommander matched it (" -h" and control characters before -h count too).
     */
    static String repeatedFlag(JCommander jc) {
        for (ParameterDescription pd : jc.getParameters()) {
            Class<?> type = pd.getParameterized().getType();
            if ((type == boolean.class || type == Boolean.class) && pd.isAssigned()
                    && Boolean.FALSE.equals(pd.getDefault())
                    && Boolean.FALSE.equals(pd.getParameterized().get(pd.getObject()))) {
                return pd.getLongestName();
            }
        }
        return null;
    }

    /** A semantic usage error found after parsing (bad combination or value): exit code 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** True when stdout is a terminal: the launchers pass -Dlanes.tty from the shell's own test. */
    static boolean stdoutIsTerminal() {
        return Boolean.getBoolean("lanes.tty");
    }

    /**
     * Creates a directory (and its parents) for a tool's output; a path that exists as something else
     * (a file, a dangling link) gets an error that says so instead of the bare exception name.
     */
    static java.nio.file.Path directory(java.nio.file.Path dir) throws IOException {
        try {
            return java.nio.file.Files.createDirectories(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new IOException(dir + " exists and is not a directory", e);
        }
    }
}
