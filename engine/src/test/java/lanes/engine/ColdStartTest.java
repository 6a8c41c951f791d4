package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A model loaded in a fresh JVM is warm from its first call. Not a timing test of the machine: it compares
 * two fresh JVMs on the same machine at the same time, with and without the warm-up, and asks that the
 * warm-up remove most (4/5) of the first call's cost: without it the first call takes ~50–70 ms (class
 * loading, the interpreter, the Vector API before C2), with it well under 1 ms on a quiet machine and a few
 * ms at worst on a loaded one. A warm-up that stopped running, or no longer ran the predict path, fails it.
 * A second warm child is started only when the first misses (one scheduling hiccup is not a regression).
 */
class ColdStartTest {

    @Test
    void theFirstCallAfterLoadCostsAFractionOfAColdOne() throws Exception {
        String cold = child(false);
        double coldFirst = value(cold, "first");
        String warm = child(true);
        if (value(warm, "first") * 5 >= coldFirst) warm = child(true);
        assertTrue(value(warm, "first") * 5 < coldFirst, "the first call after load with warm-up (" + warm
                + ") is not under a fifth of one without (" + cold + ")");
        assertTrue(value(warm, "load+warmUp") < 10_000_000, "load and warm-up took over 10 s: " + warm);
    }

    private static String child(boolean warmUp) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:-UsePerfData", "-Dlanes.warmUp=" + warmUp,
                "-Dlanes.warmUpMillis=3000")); // a loaded 2-core test machine compiles slowly
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of("-cp", ChildJvm.classPath(), ColdStart.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = p.waitFor(60, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        assertTrue(finished, "child did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("model=")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    private static double value(String line, String key) {
        for (String kv : line.split(" ")) {
            if (kv.startsWith(key + "=")) return Double.parseDouble(kv.substring(key.length() + 1));
        }
        throw new AssertionError(key + " missing from " + line);
    }
}
