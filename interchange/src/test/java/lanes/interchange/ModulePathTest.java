package lanes.interchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import lanes.engine.Model;
import lanes.kernels.KernelsProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer module that requires dev.lanes.interchange, compiled against this build and run on the
 * module path with interchange's own dependency (jHDF, an automatic module): the module graph resolves,
 * the engine comes with interchange ({@code requires transitive}), and the consumer predicts.
 */
class ModulePathTest {

    @TempDir
    Path dir;

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    private static String run(Path log, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(60, TimeUnit.SECONDS); // a hung child fails the test, not the build
        if (!finished) p.destroyForcibly();
        String out = Files.readString(log, StandardCharsets.UTF_8).strip();
        assertTrue(finished, "did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void aConsumerOfTheInterchangeModuleResolvesAndPredicts() throws Exception {
        String modules = String.join(File.pathSeparator, location(ImportException.class), location(Model.class),
                location(KernelsProvider.class), location(io.jhdf.HdfFile.class));
        Path src = Files.createDirectories(dir.resolve("src/demo/importer"));
        Files.writeString(dir.resolve("src/module-info.java"), "module demo.importer { requires dev.lanes.interchange; }\n");
        Files.writeString(src.resolve("Main.java"), """
                package demo.importer;

                public final class Main {
                    public static void main(String[] args) throws Exception {
                        lanes.engine.Model model = lanes.engine.Model.loadDefault(); // readable through interchange
                        float[] pixels = new float[model.inputSize()];
                        for (int i = 0; i < pixels.length; i++) pixels[i] = ((i * 7919) % 101) / 100f;
                        System.out.println(lanes.interchange.ImportException.class.getModule().getName()
                                + " label=" + model.predict(pixels));
                    }
                }
                """);
        Path classes = dir.resolve("classes");
        String bin = Path.of(System.getProperty("java.home"), "bin").toString();
        run(dir.resolve("javac.log"), bin + "/javac", "--release", "21", "--module-path", modules, "-d", classes.toString(),
                dir.resolve("src/module-info.java").toString(), src.resolve("Main.java").toString());

        Model model = Model.loadDefault();
        float[] pixels = new float[model.inputSize()];
        for (int i = 0; i < pixels.length; i++) pixels[i] = ((i * 7919) % 101) / 100f;
        String out = run(dir.resolve("java.log"), bin + "/java", "-Dlanes.simd=false",
                "--module-path", modules + File.pathSeparator + classes, "-m", "demo.importer/demo.importer.Main");
        assertEquals(List.of("dev.lanes.interchange label=" + model.predict(pixels)), out.lines().toList());
    }
}
