package lanes.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash launchers in tools/, run in a scratch copy of the repository where java and ./mvnw are stand-ins
 * that log how they were called: what the scripts check, pass on and write, without building or starting
 * a JVM.
 */
@DisabledOnOs(OS.WINDOWS)
class LaunchersTest {

    private static final Path TOOLS = Path.of("..", "tools");
    private static final List<String> SCRIPTS = List.of("profile", "bench", "test", "quickstart", "predict",
            "convert", "lib/jdk.sh", "lib/launch.sh");

    /** Logs its arguments, one call a line; writes the AOT cache and the JFR recording it is asked for. */
    private static final String FAKE_JAVA = """
            #!/usr/bin/env bash
            printf '%s\\n' "$*" >> "$FAKE_LOG"
            for a in "$@"; do
              case "$a" in
                -XX:AOTCacheOutput=*) : > "${a#-XX:AOTCacheOutput=}" ;;
                -XX:StartFlightRecording=*)
                  f=${a#*filename=}; f=${f%%,*}
                  [ -n "${FAKE_NO_RECORDING:-}" ] || echo "new recording" > "$f" ;;
              esac
            done
            [ "${!#}" = -h ] && echo "JMH: -h  Display help, and exit."
            exit 0
            """;

    private static final String FAKE_MVNW = """
            #!/usr/bin/env bash
            printf 'mvnw %s\\n' "$*" >> "$FAKE_LOG"
            exit 1
            """;

    @TempDir
    Path root;

    private record Run(int code, String out, String err) {
        String errLine() {
            assertEquals(1, err.strip().lines().count(), "want one line on stderr: " + err);
            return err.strip();
        }
    }

    private Path log() {
        return root.resolve("calls.log");
    }

    private List<String> calls() throws IOException {
        return Files.exists(log()) ? Files.readAllLines(log()) : List.of();
    }

    /** Copies the launchers into {@link #root} beside a stand-in JDK 25 and ./mvnw. */
    private void sandbox() throws IOException {
        for (String s : SCRIPTS) {
            Path to = root.resolve("tools").resolve(s);
            Files.createDirectories(to.getParent());
            Files.copy(TOOLS.resolve(s), to);
            to.toFile().setExecutable(true);
        }
        Path jdk = root.resolve("jdk");
        script(jdk.resolve("bin/java"), FAKE_JAVA);
        script(jdk.resolve("bin/javac"), "#!/bin/sh\n");
        Files.writeString(jdk.resolve("release"), "JAVA_VERSION=\"25\"\n");
        script(root.resolve("mvnw"), FAKE_MVNW);
    }

    /** As if the CLI jar were built and up to date: the launchers then go straight to java. */
    private void builtJar() throws IOException {
        Files.createDirectories(root.resolve("tools/target"));
        Files.writeString(root.resolve("tools/target/lanes-cli.jar"), "");
    }

    private static void script(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        file.toFile().setExecutable(true);
    }

    private Run run(Path cwd, String tool, String... args) throws IOException, InterruptedException {
        return run(cwd, List.of(), tool, args);
    }

    private Run run(Path cwd, List<String> env, String tool, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("tools").resolve(tool).toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                .redirectOutput(root.resolve("stdout").toFile()).redirectError(root.resolve("stderr").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("LANES_JAVA_OPTS");
        pb.environment().put("JAVA_HOME", root.resolve("jdk").toString());
        pb.environment().put("FAKE_LOG", log().toString());
        for (String kv : env) pb.environment().put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tools/" + tool + " did not finish");
        return new Run(p.exitValue(), Files.readString(root.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(root.resolve("stderr"), StandardCharsets.UTF_8));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void profileRefusesAMissingOutputDirectoryBeforeRunningTheTool() throws Exception {
        sandbox();
        builtJar();
        Run r = run(root, "profile", "--out", root.resolve("nodir/x.jfr").toString(), "--", "tools/predict", "x.png");
        assertEquals(1, r.code(), r.err());
        String line = r.errLine();
        assertTrue(line.startsWith("tools/profile: ") && line.contains(root.resolve("nodir") + " does not exist"), line);
        assertEquals(List.of(), calls(), "nothing may run");
        assertFalse(Files.exists(root.resolve("x.jfr")));
    }

    @Test
    void profileRefusesADirectoryAsTheOutputFile() throws Exception {
        sandbox();
        builtJar();
        Path dir = Files.createDirectories(root.resolve("recordings"));
        for (String out : List.of(dir.toString(), dir + "/")) {
            Run r = run(root, "profile", "--out", out, "--", "tools/predict", "x.png");
            assertEquals(1, r.code(), r.err());
            assertTrue(r.errLine().startsWith("tools/profile: --out " + out) && r.err().contains("directory"), r.err());
        }
        assertEquals(List.of(), calls(), "nothing may run");
        assertEquals(List.of(), names(dir));
    }

    @Test
    void profileNeedsAFileAfterOut() throws Exception {
        sandbox();
        Run r = run(root, "profile", "--out");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.errLine().startsWith("tools/profile: --out needs a file"), r.err());
    }

    @Test
    void profileNamesAToolThatIsNotThereAndKeepsTheEarlierRecording() throws Exception {
        sandbox();
        Path out = root.resolve("run.jfr");
        Files.writeString(out, "old recording");
        Run r = run(root, "profile", "--out", out.toString(), "--", "tools/no-such-tool");
        assertEquals(2, r.code(), r.err());
        assertEquals("tools/profile: no such tool: tools/no-such-tool", r.errLine());
        assertEquals("old recording", Files.readString(out));
    }

    @Test
    void profileReplacesAnEarlierRecordingOnlyWithACompleteOne() throws Exception {
        sandbox();
        builtJar();
        Path dir = Files.createDirectories(root.resolve("recordings"));
        Path out = dir.resolve("run.jfr");
        Files.writeString(out, "old recording");

        Run failed = run(root, List.of("FAKE_NO_RECORDING=1"), "profile", "--out", out.toString(), "--",
                "tools/predict", "x.png");
        assertEquals(1, failed.code(), failed.err());
        assertTrue(failed.errLine().contains("no recording was written to " + out), failed.err());
        assertEquals("old recording", Files.readString(out));
        assertEquals(List.of("run.jfr"), names(dir), "no temporary file left behind");

        Run ok = run(root, "profile", "--out", out.toString(), "--", "tools/predict", "x.png");
        assertEquals(0, ok.code(), ok.err());
        assertEquals("new recording\n", Files.readString(out));
        assertEquals(List.of("run.jfr"), names(dir), "no temporary file left behind");
        assertTrue(calls().getLast().endsWith("lanes.tools.ProfileSummary " + out), calls().toString());
    }

    @Test
    void aRecordedOneShotRunGoesWithoutTheClassCacheThatPlainRunsUse() throws Exception {
        sandbox();
        builtJar();
        assertEquals(0, run(root, "predict", "x.png").code());
        String plain = calls().getLast();
        assertTrue(plain.contains("-XX:AOTCache=") && plain.endsWith("lanes.tools.Predict x.png"), plain);

        Files.delete(log());
        Run r = run(root, "profile", "--out", root.resolve("p.jfr").toString(), "--", "tools/predict", "x.png");
        assertEquals(0, r.code(), r.err());
        String recorded = calls().stream().filter(c -> c.endsWith("lanes.tools.Predict x.png")).findFirst().orElseThrow();
        assertTrue(recorded.contains("-XX:StartFlightRecording=") && !recorded.contains("AOTCache"), recorded);
        assertTrue(recorded.contains("-Xlog:jfr+startup=off"), recorded);
    }

    @Test
    void benchHelpPrintsItsOwnUsageThenJmhOptions() throws Exception {
        sandbox();
        Files.createDirectories(root.resolve("bench/target"));
        Files.writeString(root.resolve("bench/target/benchmarks.jar"), "");
        for (String help : List.of("--help", "-h")) {
            Files.deleteIfExists(log());
            Run r = run(root, "bench", help);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("Runs the JMH suites: tools/bench"), r.out());
            assertTrue(r.out().contains("JMH: -h  Display help"), r.out());
            assertEquals(List.of("-jar " + root.resolve("bench/target/benchmarks.jar") + " -h"), calls());
        }
    }

    @Test
    void testHelpPrintsItsOwnUsageWithoutRunningMaven() throws Exception {
        sandbox();
        for (String help : List.of("--help", "-h")) {
            Run r = run(root, "test", help);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("usage: tools/test [Maven arguments...]"), r.out());
            assertTrue(r.out().contains("tools/test -pl kernels"), r.out());
        }
        assertEquals(List.of(), calls(), "neither Maven nor java may run");
    }

    @Test
    void quickstartRejectsBadOptionsBeforeTheBuild() throws Exception {
        sandbox();
        for (String epochs : List.of("abc", "0", "-1", "2x", "")) {
            Run r = run(root, "quickstart", "--epochs", epochs);
            assertEquals(2, r.code(), epochs + ": " + r.err());
            assertTrue(r.errLine().startsWith("tools/quickstart: --epochs"), r.err());
            assertEquals("", r.out(), "no step may start");
        }
        Run r = run(root, "quickstart", "--dir");
        assertEquals(2, r.code(), r.err());
        assertEquals("tools/quickstart: --dir needs a value", r.errLine());
        assertEquals(List.of(), calls(), "no build, no java");
    }

    @Test
    void quickstartTakesARelativeDirFromWhereItIsRun() throws Exception {
        sandbox();
        builtJar();
        // Stand-ins for the Java tools: log the arguments; fetch-data prints the data directory, as it does.
        for (String tool : List.of("train", "predict", "latency")) {
            script(root.resolve("tools").resolve(tool), "#!/usr/bin/env bash\necho \"" + tool + " $*\" >> \"$FAKE_LOG\"\n");
        }
        script(root.resolve("tools/fetch-data"), """
                #!/usr/bin/env bash
                echo "fetch-data $*" >> "$FAKE_LOG"
                echo "$4/mnist"
                """);
        Path cwd = Files.createDirectories(root.resolve("elsewhere"));

        Run r = run(cwd, "quickstart", "--epochs", "1", "--dir", "out");
        assertEquals(0, r.code(), r.err());
        Path dir = cwd.resolve("out");
        assertTrue(calls().contains("fetch-data --dataset mnist --dir " + dir), calls().toString());
        assertTrue(calls().contains("train --data " + dir + "/mnist --epochs 1 --batch 32 --out " + dir
                + "/quickstart/mnist.lnw --history " + dir + "/quickstart/history.csv"), calls().toString());
        assertTrue(Files.isDirectory(dir.resolve("quickstart")));
        assertFalse(Files.exists(root.resolve("out")), "a relative --dir is not taken from the repository root");

        // Without --dir the data go where the README's commands expect them: data/ in the repository.
        Files.delete(log());
        assertEquals(0, run(cwd, "quickstart", "--epochs", "1").code());
        assertTrue(calls().contains("fetch-data --dataset mnist --dir data"), calls().toString());
        assertTrue(Files.isDirectory(root.resolve("data/quickstart")));
    }

    @Test
    void convertRunsItsMainClassWithTheVectorApiAndEveryArgument() throws Exception {
        sandbox();
        builtJar();
        Run r = run(root, "convert", "--input-range", "0,255", "in put.onnx", "out.lnw");
        assertEquals(0, r.code(), r.err());
        String call = calls().getLast();
        assertTrue(call.contains("--add-modules jdk.incubator.vector"), call);
        assertTrue(call.endsWith("lanes.tools.Convert --input-range 0,255 in put.onnx out.lnw"), call);
    }

    @Test
    void aChangedImporterRebuildsTheJar() throws Exception {
        sandbox();
        builtJar();
        Path source = root.resolve("interchange/src/main/java/lanes/interchange/X.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "");
        source.toFile().setLastModified(System.currentTimeMillis() + 60_000);
        Run r = run(root, "convert", "--help");
        assertEquals(1, r.code(), "the stand-in ./mvnw fails the build: " + r.err());
        assertTrue(calls().stream().anyMatch(c -> c.startsWith("mvnw ")), calls().toString());
    }
}
