package lanes.tools;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs a tool's argument handling and nothing else, for the CLI fuzz target: the real parser, the real
 * checks and the real exit-code mapping of {@link Cli#run}, with the command's body replaced by
 * "return OK", so no input can train, download, load or write anything.
 */
public final class CliHarness {
    public static final int OK = Cli.OK, USAGE = Cli.USAGE;

    /** The commands whose arguments are fuzzed, by their tools/ name. */
    public static final List<String> COMMANDS = List.of("train", "predict", "latency");

    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    private CliHarness() {}

    /** The exit code {@code tools/<command> argv} would have if its body succeeded; output is discarded. */
    public static int parse(String command, String[] argv) {
        Cli.HasHelp args = switch (command) {
            case "train" -> new Train.Args();
            case "predict" -> new Predict.Args();
            case "latency" -> new Latency.Args();
            default -> throw new IllegalArgumentException("unknown command " + command);
        };
        PrintStream out = System.out, err = System.err;
        System.setOut(DISCARD);
        System.setErr(DISCARD);
        try {
            return Cli.run("tools/" + command, args, argv, () -> Cli.OK);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
