package lanes.serve;

import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The server's log: one line per event on stderr, {@code 2026-12-04T11:30:00.123Z lanes serve: message}.
 * Loads, reloads, failures and shutdown are what an operator needs; requests go to /metrics and JFR.
 */
final class Log {
    private final PrintStream out;

    Log(PrintStream out) {
        this.out = out;
    }

    void info(String message) {
        line("", message);
    }

    void warn(String message) {
        line("warning: ", message);
    }

    private void line(String level, String message) {
        out.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " lanes serve: " + level + message);
        out.flush();
    }
}
