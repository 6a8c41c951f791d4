package lanes.serve;

/**
 * SIGTERM and SIGINT as a callback, so that the server stops gracefully and exits 0: with a shutdown
 * hook alone the JVM would exit 143 after a SIGTERM, which service managers count as a failure.
 * {@code sun.misc.Signal} is in jdk.unsupported, present in every JDK; if it is not, the shutdown hook
 * still drains the server, only the exit code differs.
 */
final class Signals {
    private Signals() {}

    static void onTermination(Runnable action) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                sun.misc.Signal.handle(new sun.misc.Signal(name), s -> action.run());
            }
        } catch (LinkageError | IllegalArgumentException e) {
            Runtime.getRuntime().addShutdownHook(new Thread(action, "lanes-serve-shutdown"));
        }
    }
}
