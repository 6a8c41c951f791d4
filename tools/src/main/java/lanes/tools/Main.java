package lanes.tools;

import java.util.Arrays;

/**
 * {@code java -jar lanes-cli.jar COMMAND [args]}: one entry point for the jar, dispatching to the same
 * main classes the tools/ scripts run.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println("usage: java --add-modules jdk.incubator.vector -jar lanes-cli.jar COMMAND [options]");
            System.out.println("commands: fetch-data, train, predict, latency, convert   (COMMAND --help for its options)");
            System.exit(args.length == 0 ? Cli.USAGE : Cli.OK);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "fetch-data" -> FetchData.main(rest);
            case "train" -> Train.main(rest);
            case "predict" -> Predict.main(rest);
            case "latency" -> Latency.main(rest);
            case "convert" -> Convert.main(rest);
            default -> {
                System.err.println("lanes: unknown command " + args[0] + " (fetch-data, train, predict, latency, convert)");
                System.exit(Cli.USAGE);
            }
        }
    }
}
