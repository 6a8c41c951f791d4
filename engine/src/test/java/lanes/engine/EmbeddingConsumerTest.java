package lanes.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A service that embeds the engine, as its author would write it: a tiny consumer module compiled against
 * the engine and kernels as they are built, then run in a child JVM on the module path (as a named module,
 * with and without the Vector API, with JFR recording) and on the class path. Each run must predict what
 * this JVM predicts, bit for bit, and say on stderr only what the engine promises: nothing when all is
 * well, one warning naming the flag when the Vector API is missing.
 */
class EmbeddingConsumerTest {

    private static final String MODULE_INFO = """
            module demo.consumer {
                requires dev.lanes.engine;
            }
            """;

    /** Predicts one deterministic image with the default model and prints what ran where. */
    private static final String MAIN = """
            package demo.consumer;

            import lanes.engine.JfrSupport;
            import lanes.engine.Model;
            import lanes.kernels.KernelsProvider;

            public final class Main {
                public static void main(String[] args) throws Exception {
                    Model model = Model.loadDefault();
                    float[] pixels = new float[model.inputSize()];
                    for (int i = 0; i < pixels.length; i++) pixels[i] = ((i * 7919) % 101) / 100f;
                    float[] p = new float[model.outputs()];
                    int label = model.predict(pixels, p);
                    System.out.println("consumer=" + Main.class.getModule().getName()
                            + " engine=" + Model.class.getModule().getName()
                            + " kernels=" + (KernelsProvider.get().vectorBits() > 0 ? "VectorKernels" : "ScalarKernels")
                            + " jfr=" + JfrSupport.active()
                            + " label=" + label + " p=" + Integer.toHexString(Float.floatToIntBits(p[label])));
                }
            }
            """;

    @TempDir
    static Path dir;

    private static Path consumer;
    private static String lanesPath;
    private static String expected;

    @BeforeAll
    static void compileTheConsumer() throws Exception {
        lanesPath = location(Model.class) + File.pathSeparator + location(KernelsProvider.class);
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("demo/consumer"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("demo/consumer/Main.java"), MAIN);
        consumer = dir.resolve("classes");
        String javac = Path.of(System.getProperty("java.home"), "bin", "javac").toString();
        Process p = new ProcessBuilder(javac, "--release", "21", "--module-path", lanesPath, "-d", consumer.toString(),
                src.resolve("module-info.java").toString(), src.resolve("demo/consumer/Main.java").toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "javac did not finish");
        assertEquals(0, p.exitValue(), "the consumer does not compile against the engine module: " + log);

        Model model = Model.loadDefault();
        float[] pixels = new float[model.inputSize()];
        for (int i = 0; i < pixels.length; i++) pixels[i] = ((i * 7919) % 101) / 100f;
        float[] probabilities = new float[model.outputs()];
        int label = model.predict(pixels, probabilities);
        expected = " label=" + label + " p=" + Integer.toHexString(Float.floatToIntBits(probabilities[label]));
    }

    /** The directory or jar a class was loaded from: target/classes in this build, a jar from a repository. */
    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private record Run(String out, String err) {}

    private static Run java(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ChildJvm.java(), "-XX:-UsePerfData"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS); // a hung child fails the test, not the build
        if (!finished) p.destroyForcibly();
        Run r = new Run(Files.readString(out, StandardCharsets.UTF_8).strip(), Files.readString(err, StandardCharsets.UTF_8).strip());
        assertTrue(finished, "child did not finish: " + r);
        assertEquals(0, p.exitValue(), r.toString());
        return r;
    }

    private static String modulePath() {
        return lanesPath + File.pathSeparator + consumer;
    }

    /** stderr without the JVM's own note that an incubator module is in use. */
    private static List<String> lanesLines(String err) {
        return err.lines().filter(l -> !l.equals("WARNING: Using incubator modules: jdk.incubator.vector")).toList();
    }

    @Test
    void onTheModulePathWithoutTheVectorApiItPredictsOnTheScalarKernelsAndWarnsOnce() throws Exception {
        Run r = java("--module-path", modulePath(), "-m", "demo.consumer/demo.consumer.Main");
        assertEquals("consumer=demo.consumer engine=dev.lanes.engine kernels=ScalarKernels jfr=false" + expected, r.out());
        // java.util.logging's console format: a date line, then the message.
        List<String> err = lanesLines(r.err());
        assertEquals(2, err.size(), r.err());
        assertTrue(err.get(1).startsWith("WARNING: Lanes: ") && err.get(1).contains(KernelsProvider.VECTOR_FLAG), r.err());
    }

    @Test
    void onTheModulePathWithTheVectorApiItPredictsTheSameBitsAndSaysNothing() throws Exception {
        Run r = java("--add-modules", "jdk.incubator.vector", "--module-path", modulePath(),
                "-m", "demo.consumer/demo.consumer.Main");
        // This JVM may be the scalar test run, which cannot see whether the machine has vectors of 128 bits;
        // the SIMD run (and any JVM that has the Vector API) knows the child must run them.
        boolean mustVectorise = KernelsProvider.vector().isPresent() || Boolean.getBoolean("lanes.expectSimd");
        String kernels = r.out().contains("kernels=VectorKernels") || mustVectorise ? "VectorKernels" : "ScalarKernels";
        assertEquals("consumer=demo.consumer engine=dev.lanes.engine kernels=" + kernels + " jfr=false" + expected, r.out());
        assertEquals(kernels.equals("VectorKernels") ? 0 : 2, lanesLines(r.err()).size(), r.err());
    }

    @Test
    void theChosenKernelsAreLoggedAtFine() throws Exception {
        Path config = dir.resolve("logging.properties");
        Files.writeString(config, """
                handlers=java.util.logging.ConsoleHandler
                java.util.logging.ConsoleHandler.level=FINE
                lanes.kernels.level=FINE
                """);
        Run r = java("-Djava.util.logging.config.file=" + config, "-Dlanes.simd=false", "--module-path", modulePath(),
                "-m", "demo.consumer/demo.consumer.Main");
        assertTrue(r.out().contains("kernels=ScalarKernels"), r.out());
        assertTrue(r.err().contains("FINE: Lanes: -Dlanes.simd=false, using the scalar kernels"), r.err());

        // Asked for by name, the scalar kernels are no fallback: nothing at the default level.
        r = java("-Dlanes.simd=false", "--module-path", modulePath(), "-m", "demo.consumer/demo.consumer.Main");
        assertEquals(List.of(), lanesLines(r.err()), r.err());
    }

    @Test
    void aRecordingOnTheModulePathSeesTheEngineAsJfrOn() throws Exception {
        // jdk.jfr is an optional dependency (requires static): starting a recording resolves it, and then
        // the engine reads it.
        Run r = java("-XX:StartFlightRecording:filename=" + dir.resolve("run.jfr"), "-Xlog:jfr+startup=off",
                "-Dlanes.simd=false", "--module-path", modulePath(), "-m", "demo.consumer/demo.consumer.Main");
        assertEquals("consumer=demo.consumer engine=dev.lanes.engine kernels=ScalarKernels jfr=true" + expected, r.out());
    }

    @Test
    void onTheClassPathTheSameConsumerPredictsTheSame() throws Exception {
        // The module descriptors are ignored on the class path: everything is in the unnamed module.
        Run r = java("-Dlanes.simd=false", "-cp", modulePath(), "demo.consumer.Main");
        assertEquals("consumer=null engine=null kernels=ScalarKernels jfr=false" + expected, r.out());
        assertEquals("", r.err());
    }
}
