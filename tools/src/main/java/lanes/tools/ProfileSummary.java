package lanes.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** Prints what tools/profile recorded: lanes.* event counts and p50/p99 durations, and the hot methods. */
public final class ProfileSummary {

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ProfileSummary FILE.jfr");
            System.exit(Cli.USAGE);
        }
        System.exit(summarize(Path.of(args[0]), System.out));
    }

    static int summarize(Path file, java.io.PrintStream out) throws IOException {
        Map<String, List<Long>> durations = new TreeMap<>();
        Map<String, Integer> hot = new HashMap<>();
        int samples = 0;
        try (RecordingFile rf = new RecordingFile(file)) {
            while (rf.hasMoreEvents()) {
                RecordedEvent e = rf.readEvent();
                String name = e.getEventType().getName();
                if (name.startsWith("lanes.")) {
                    durations.computeIfAbsent(name, k -> new ArrayList<>()).add(e.getDuration().toNanos());
                } else if (name.equals("jdk.ExecutionSample") && e.getStackTrace() != null
                        && !e.getStackTrace().getFrames().isEmpty()) {
                    RecordedFrame top = e.getStackTrace().getFrames().get(0);
                    String m = top.getMethod().getType().getName() + "." + top.getMethod().getName();
                    hot.merge(m, 1, Integer::sum);
                    samples++;
                }
            }
        }
        out.println("Recording: " + file);
        out.printf(Locale.ROOT, "%-18s %9s %12s %12s %12s%n", "event", "count", "p50", "p99", "max");
        if (durations.isEmpty()) out.println("(no lanes.* events: was the run a Lanes tool?)");
        for (Map.Entry<String, List<Long>> en : durations.entrySet()) {
            long[] d = en.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            out.printf(Locale.ROOT, "%-18s %9d %12s %12s %12s%n", en.getKey(), d.length,
                    human(d[d.length / 2]), human(d[Math.min(d.length - 1, (int) (d.length * 0.99))]), human(d[d.length - 1]));
        }
        out.println();
        out.println("Hot methods (" + samples + " execution samples, top frame):");
        final int total = Math.max(1, samples);
        hot.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(10)
                .forEach(en -> out.printf(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * en.getValue() / total, en.getKey()));
        return Cli.OK;
    }

    static String human(long nanos) {
        if (nanos < 10_000) return String.format(Locale.ROOT, "%.2f us", nanos / 1e3);
        if (nanos < 10_000_000) return String.format(Locale.ROOT, "%.1f us", nanos / 1e3);
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }
}
