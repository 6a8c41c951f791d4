package lanes.serve;

import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import lanes.kernels.KernelsProvider;

/**
 * {@code tools/serve [--model FILE|DIR] [--name mnist] [--port 8080] [--host 127.0.0.1] [--threads N]}:
 * serves a model over HTTP (see {@link Server} for the routes) and prints its URL once it is ready.
 * SIGTERM or SIGINT stops it gracefully: no new connections, requests in flight finish (up to
 * {@code --drain} seconds), exit 0. Exit 1 when it cannot start (no model, port taken), 2 on a usage
 * error.
 */
public final class Serve {
    private Serve() {}

    static final int OK = 0, FAILED = 1, USAGE = 2;

    static final class Args {
        @Parameter(names = "--model", description = "A weight file, or a directory of numbered version directories"
                + " (DIR/1/model.lnw, DIR/2/model.lnw ...; the highest that loads is served). Reloaded when it changes."
                + " Or a model inside the engine jar: mnist (the default: the accurate CNN) or mnist-fast (the MLP)")
        Path model;
        @Parameter(names = "--name", description = "The model's name in the URLs (/v1/models/NAME, /v2/models/NAME)")
        String name = "mnist";
        @Parameter(names = "--port", description = "TCP port (0: any free port)")
        int port = 8080;
        @Parameter(names = "--host", description = "Address to listen on (0.0.0.0: every interface)")
        String host = "127.0.0.1";
        @Parameter(names = "--threads", description = "Threads that run requests (default: the number of CPUs)")
        int threads = 0;
        @Parameter(names = "--max-body", description = "The largest request body in bytes (413 above it)")
        long maxBody = Server.Config.DEFAULT_MAX_BODY;
        @Parameter(names = "--max-inflight", description = "Requests handled at once; more get 429 at once")
        int maxInFlight = 256;
        @Parameter(names = "--poll", description = "Seconds between checks of --model for a new version (0: never)")
        double poll = 1;
        @Parameter(names = "--drain", description = "Seconds a shutdown waits for requests in flight")
        int drain = 10;
        @Parameter(names = {"--help", "-h"}, help = true, description = "Show this help")
        boolean help;

        /** The checks that need only the arguments: a message, or null when they are fine. */
        String check() {
            if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) return "--name must be letters, digits, '.', '_' or '-', got '" + name + "'";
            if (port < 0 || port > 65535) return "--port must be 0 to 65535, got " + port;
            if (threads < 0 || threads > 4096) return "--threads must be 1 to 4096 (or 0 for the CPUs), got " + threads;
            if (maxBody < 1 || maxBody > Integer.MAX_VALUE - 16) return "--max-body must be 1 to " + (Integer.MAX_VALUE - 16) + ", got " + maxBody;
            if (maxInFlight < 1) return "--max-inflight must be >= 1, got " + maxInFlight;
            if (!(poll >= 0 && poll <= 86400)) return "--poll must be 0 to 86400 seconds, got " + poll;
            if (drain < 0 || drain > 3600) return "--drain must be 0 to 3600 seconds, got " + drain;
            return null;
        }

        Server.Config config() {
            return new Server.Config(host, port, name, model, threads, maxBody, maxInFlight,
                    Duration.ofMillis(Math.round(poll * 1000)), Duration.ofSeconds(drain));
        }
    }

    public static void main(String[] argv) {
        long start = System.nanoTime();
        // The server warms its request paths itself once it is ready (Warmup, in the background), so a
        // load need not hold start-up for the engine's own warm-up (up to 1 s); -Dlanes.warmUp=true restores it.
        if (System.getProperty("lanes.warmUp") == null) System.setProperty("lanes.warmUp", "false");
        Args a = new Args();
        JCommander jc = JCommander.newBuilder().programName("tools/serve").addObject(a).expandAtSign(false).build();
        String error;
        try {
            jc.parse(argv);
            error = a.help ? null : a.check();
        } catch (ParameterException e) {
            error = e.getMessage();
        } catch (RuntimeException e) {
            error = "cannot parse the arguments (" + e + ")";
        }
        if (error != null || a.help) {
            StringBuilder usage = new StringBuilder();
            jc.getUsageFormatter().usage(usage);
            if (error != null) System.err.println("tools/serve: " + error);
            (error != null ? System.err : System.out).print(usage);
            System.exit(error != null ? USAGE : OK);
        }
        if (a.threads > 0) {
            // Read when the first virtual thread is made: the carrier threads of every request.
            System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(a.threads));
        }
        System.exit(run(a.config(), start, System.out, new Log(System.err)));
    }

    /** Starts, waits for a signal, stops; returns the exit code. */
    static int run(Server.Config config, long startNanos, PrintStream out, Log log) {
        Server server = new Server(config, log);
        try {
            server.bind();
        } catch (BindException e) {
            log.warn("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage());
            return FAILED;
        } catch (IOException | RuntimeException e) {
            log.warn("cannot start: " + e);
            server.close();
            return FAILED;
        }
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTermination(stop::countDown);
        try {
            boolean serving = server.loadModel();
            String url = "http://" + (config.host().contains(":") ? "[" + config.host() + "]" : config.host()) + ":" + server.port() + "/";
            String kernels = KernelsProvider.get().getClass().getSimpleName();
            if (serving) {
                Served s = server.models.current();
                out.printf(Locale.ROOT, "lanes serve: ready at %s (model %s version %d, %s; %.0f ms)%n", url, config.name(),
                        s.version(), kernels, (System.nanoTime() - startNanos) / 1e6);
                Warmup.start(s);
            } else {
                out.printf(Locale.ROOT, "lanes serve: listening at %s; not ready until a version appears in %s%n", url, config.model());
            }
            out.flush();
        } catch (IOException | RuntimeException e) {
            log.warn("cannot load the model: " + (e instanceof lanes.engine.BadInputException ? e.getMessage() : e.toString()));
            server.close();
            return FAILED;
        }
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("stopping: no new connections; waiting up to " + config.drain().toSeconds() + " s for "
                + server.metrics.inFlight.get() + " request(s) in flight");
        server.close();
        log.info("stopped");
        return OK;
    }
}
