package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** What a test needs to start a child JVM that sees the engine, its tests and their dependencies. */
final class ChildJvm {
    private ChildJvm() {}

    /** The java binary of this JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * A class path with everything this test JVM sees. The tests run inside the engine module (the engine
     * and kernels on the module path, the test classes patched in), so java.class.path alone holds only
     * the test libraries: the module path and the test classes are added. On the class path the additions
     * are already there, and naming them twice is harmless.
     */
    static String classPath() {
        String sep = File.pathSeparator;
        String modules = System.getProperty("jdk.module.path", "");
        String testClasses = Path.of("target", "test-classes").toAbsolutePath().toString();
        return System.getProperty("java.class.path") + (modules.isEmpty() ? "" : sep + modules) + sep + testClasses;
    }

    /**
     * Runs {@code main} in a JVM of its own (this class path, the Vector API module when this JVM has it,
     * jvmArgs before the class, args after it) and returns the first line it prints that starts with
     * {@code prefix}. Fails the test when the child does not finish within the timeout (it is then
     * killed), exits with another status than 0, or prints no such line.
     */
    static String firstLine(List<String> jvmArgs, Class<?> main, List<String> args, String prefix, int timeoutSeconds)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:-UsePerfData"));
        cmd.addAll(jvmArgs);
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of("-cp", classPath(), main.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) p.destroyForcibly();
        assertTrue(finished, main.getSimpleName() + " did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(out));
    }
}
