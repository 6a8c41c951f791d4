package lanes.engine;

import java.io.File;
import java.nio.file.Path;

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
}
