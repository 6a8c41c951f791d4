package lanes.tools;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs a tool's argument handling and nothing else, for the CLI fuzz target: the real parser, the real
 * checks and the real exit-code mapping ({@link Cli#run} with the command's body replaced by "return OK",
 * {@link FetchData#parse} for fetch-data), so no input can train, download, load or write anything.
 */
public final class CliHarness {
    public static final int OK = Cli.OK, USAGE = Cli.USAGE;

    /** The commands whose arguments are fuzzed, by their tools/ name. */
    public static final List<String> COMMANDS = List.of("train", "predict", "latency", "fetch-data");

    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    private CliHarness() {}

    /** The exit code {@code tools/<command> argv} would have if its body succeeded; output is discarded. */
    public static int parse(String command, String[] argv) {
        Cli.HasHelp args = switch (command) {
            case "train" -> new Train.Args();
            case "predict" -> new Predict.Args();
            case "latency" -> new Latency.Args();
            case "fetch-data" -> null;
            default -> throw new IllegalArgumentException("unknown command " + command);
        };
        if (args == null) return FetchData.parse(argv, DISCARD, DISCARD).exitCode();
        return Cli.run("tools/" + command, args, argv, DISCARD, DISCARD, () -> Cli.OK);
    }
}
